#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "op-mode/cli.h"

int main(int argc, char** argv) {
  std::vector<const char*> args(argv + 1, argv + argc);
  try {
    return edgediag::opmode::Run(args, std::cout, std::cerr);
  } catch (const std::exception& e) {
    // The last resort: library code returns errors as values.
    std::cerr << "edgediag: internal error: " << e.what() << "\n";
    // check speaks Nagios: an internal error is UNKNOWN there.
    for (const char* a : args)
      if (std::string(a) == "check") return 3;
    return 70;
  }
}

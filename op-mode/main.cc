#include <exception>
#include <iostream>
#include <vector>

#include "op-mode/cli.h"

int main(int argc, char** argv) {
  try {
    std::vector<const char*> args(argv + 1, argv + argc);
    return edgediag::opmode::Run(args, std::cout, std::cerr);
  } catch (const std::exception& e) {
    // The last resort: library code returns errors as values.
    std::cerr << "edgediag: internal error: " << e.what() << "\n";
    return 70;
  }
}

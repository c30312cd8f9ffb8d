#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "op-mode/check.h"
#include "op-mode/cli.h"

int main(int argc, char** argv) {
  edgediag::opmode::TuneMallocForOneRun();
  std::vector<const char*> args(argv + 1, argv + argc);
  try {
    // Under LeakSanitizer the objects are freed, so that only real leaks show.
#if defined(__SANITIZE_ADDRESS__)
    constexpr bool kExitAfter = false;
#else
    constexpr bool kExitAfter = true;
#endif
    return edgediag::opmode::Run(args, std::cout, std::cerr, {.exit_after = kExitAfter});
  } catch (const std::exception& e) {
    // The last resort: library code returns errors as values.
    std::cerr << "edgediag: internal error: " << e.what() << "\n";
    // check speaks Nagios: an internal error is UNKNOWN there, in its line.
    for (const char* a : args)
      if (std::string(a) == "check")
        return edgediag::opmode::CheckUnknown(std::cout, std::string("internal error: ") + e.what());
    return 70;
  }
}

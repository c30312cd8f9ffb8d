// Runs a helper program (nft, and usable for vtysh) for the collectors:
// fork/exec without a shell, stdin from /dev/null, output bounded, a hard
// deadline (the child is killed and reaped when it passes). Lives in the
// capture part of plugin (edgediag_plugin): it does I/O.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "base/result.h"

namespace edgediag::plugin {

struct RunOutput {
  int exit_code = 0;  ///< the program's exit status (128+N when killed by signal N)
  std::string out;    ///< stdout
  std::string err;    ///< stderr, at most 64 KiB kept
};

/// Runs argv[0] (looked up in PATH) with argv. Errors: kUnavailable when the
/// program does not exist, kPermissionDenied when it may not be executed,
/// kTimeout past `timeout`, kInvalidInput when stdout exceeds `max_output`.
/// A non-zero exit is not an error: see exit_code and err.
Result<RunOutput> RunProgram(const std::vector<std::string>& argv,
                             std::chrono::milliseconds timeout, std::size_t max_output);

}  // namespace edgediag::plugin

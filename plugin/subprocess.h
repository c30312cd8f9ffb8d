// Runs a helper program (vtysh, nft) the way a diagnostics tool must: no
// shell, a hard deadline, bounded output, and an error a person can act on.
#pragma once

#include <string>
#include <vector>

#include "base/result.h"

namespace edgediag::plugin {

struct ProcessOutput {
  int exit_status = 0;  ///< the program's exit code
  std::string out;      ///< standard output (bounded)
  std::string err;      ///< standard error (bounded, for messages)
};

/// Runs argv[0] (looked up in PATH) with `argv`; kills it when `timeout_ms`
/// passes. Standard output beyond `max_output` bytes is an error.
/// Implemented in capture_subprocess.cc (it does I/O).
Result<ProcessOutput> RunProcess(const std::vector<std::string>& argv, int timeout_ms,
                                 std::size_t max_output = 64u << 20);

}  // namespace edgediag::plugin

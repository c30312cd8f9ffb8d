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

/// Runs argv[0] with argv: a path, or a name looked up in /usr/sbin,
/// /usr/bin, /sbin and /bin (never the caller's PATH), with the environment
/// PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C, in a process group of its
/// own that is killed whole past the deadline. Errors: kUnavailable when the
/// program does not exist, kPermissionDenied when it may not be executed,
/// kTimeout past `timeout`, kInvalidInput when stdout exceeds `max_output`.
/// A non-zero exit is not an error: see exit_code and err.
Result<RunOutput> RunProgram(const std::vector<std::string>& argv,
                             std::chrono::milliseconds timeout, std::size_t max_output);

/// Kills the process group of every helper running now (the run's overall
/// deadline has passed). Async-signal-safe.
void KillRunningPrograms();

}  // namespace edgediag::plugin

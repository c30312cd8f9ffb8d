// The edgediag command line: parses arguments, captures (or loads) a
// snapshot, builds the report and renders it. main() is a thin wrapper.
#pragma once

#include <iosfwd>
#include <span>

#include "plugin/report.h"

namespace edgediag::opmode {

// Exit codes of dx and vpn (sysexits.h values).
inline constexpr int kExitOk = 0;
inline constexpr int kExitUsage = 64;
inline constexpr int kExitDataError = 65;
inline constexpr int kExitUnavailable = 69;
inline constexpr int kExitNoPermission = 77;

struct RunOptions {
  /// Leave the snapshots and the report to the process's exit instead of
  /// freeing their 100,000 small allocations one by one (main() only).
  bool exit_after = false;
};

/// The allocator settings of one short-lived process: memory is not given
/// back to the kernel before exit (each brk, mmap and trim is a system
/// call, and page faults again). main() sets them first, and the
/// benchmarks too, so that they measure the program's own allocator.
void TuneMallocForOneRun();

/// Runs edgediag with `args` (argv without argv[0]); writes to out/err.
int Run(std::span<const char* const> args, std::ostream& out, std::ostream& err,
        const RunOptions& options = {});

/// 69 when no source a command needs could be read, 77 when the reason was
/// permission, else 0.
int ExitCodeForSources(const std::string& command, const plugin::Snapshot& snapshot);

}  // namespace edgediag::opmode

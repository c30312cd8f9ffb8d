// Reading a whole file into memory, with a size cap: /proc counters, sysctl
// values, saved snapshots.
#pragma once

#include <cstddef>
#include <string>

#include "base/result.h"

namespace edgediag {

/// The whole file. Errors say "cannot read PATH: reason" (kUnavailable when
/// it does not exist, kPermissionDenied, ...) or, past `max_bytes`, "PATH:
/// larger than N MiB" (kInvalidInput).
Result<std::string> ReadFile(const std::string& path, std::size_t max_bytes);

}  // namespace edgediag

// Reading a whole file into memory, with a size cap: /proc counters, sysctl
// values, saved snapshots.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "base/result.h"

namespace edgediag {

/// The whole file. Errors say "cannot read PATH: reason" (kUnavailable when
/// it does not exist, kPermissionDenied, ...) or, past `max_bytes`, "PATH:
/// larger than N MiB" (kInvalidInput).
Result<std::string> ReadFile(const std::string& path, std::size_t max_bytes);

/// A configuration file's text and who may read it.
struct FileText {
  std::string text;
  unsigned mode = 0;  ///< permission bits (st_mode & 07777)
  unsigned uid = 0;
};

/// As ReadFile, for files an operator drops in a directory: only a regular
/// file is read (a FIFO, socket or device is refused at once, never waited
/// on), and one over `max_bytes` is refused before reading. Errors as
/// ReadFile's, plus "PATH: not a regular file" (kInvalidInput).
Result<FileText> ReadRegularFile(const std::string& path, std::size_t max_bytes);

}  // namespace edgediag

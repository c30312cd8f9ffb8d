// Replacing a whole file so that a reader, or the file after a crash, has
// the old content or the new, never a part: snapshots, the check's state
// file, the Prometheus textfile.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>

#include "base/result.h"

namespace edgediag {

/// Writes `content` to a fresh temporary file beside `path` (created
/// exclusively, close-on-exec), fsyncs it, sets and checks `mode`, renames
/// it over `path` and fsyncs the directory. On any failure the temporary
/// file is removed and `path` is left as it was.
Result<void> WriteFileAtomically(const std::string& path, std::string_view content, mode_t mode);

/// Appends `content` to `path` (created with `mode` when missing): a log
/// another program tails, such as the CloudWatch agent's EMF file.
Result<void> AppendToFile(const std::string& path, std::string_view content, mode_t mode);

}  // namespace edgediag

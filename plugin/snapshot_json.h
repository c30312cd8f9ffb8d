// Snapshot <-> JSON. Lossless: FromJson(ToJson(s)) == s.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "base/result.h"
#include "plugin/snapshot.h"

namespace edgediag::plugin {

/// Marks a snapshot document.
inline constexpr char kSnapshotSchema[] = "edgediag.snapshot/1";

nlohmann::json SnapshotToJson(const Snapshot& snapshot);
/// Fails with kInvalidInput naming the offending key when the document is not a snapshot.
Result<Snapshot> SnapshotFromJson(const nlohmann::json& document);

/// Writes the snapshot atomically (temporary file, then rename), mode 0600.
Result<void> SaveSnapshot(const Snapshot& snapshot, const std::string& path);
/// Reads a snapshot file: ParseSnapshot of its text, named by `path`.
Result<Snapshot> LoadSnapshot(const std::string& path);
/// Parses a snapshot document from text (`source` names it in errors); a
/// number that does not fit its field is refused, not wrapped.
Result<Snapshot> ParseSnapshot(std::string_view text, const std::string& source);

}  // namespace edgediag::plugin

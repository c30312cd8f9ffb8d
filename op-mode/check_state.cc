// Reading the check's state file: a file from the last run, on disk between
// runs, so it is read as input from outside (its own fuzz target,
// json_check_state_fuzz, links this file and the snapshot reader only).
#include <nlohmann/json.hpp>

#include "base/read_file.h"
#include "op-mode/check.h"
#include "plugin/snapshot_json.h"

namespace edgediag::opmode {
namespace {

using nlohmann::json;
using plugin::Severity;

Severity ParseSeverity(const std::string& name) {
  for (Severity s : {Severity::kOk, Severity::kInfo, Severity::kUnknown, Severity::kWarning,
                     Severity::kCritical})
    if (plugin::SeverityName(s) == name) return s;
  return Severity::kUnknown;
}

Result<CheckState> StateFromJson(const json& doc, const std::string& path) {
  auto bad = [&](const std::string& what) {
    return MakeError(Error::Code::kInvalidInput, path + ": " + what);
  };
  if (!doc.is_object() || !doc.contains("schema") || !doc["schema"].is_string())
    return bad("not an edgediag state file (no \"schema\")");
  CheckState state;
  const std::string schema = doc["schema"].get<std::string>();
  if (schema == plugin::kSnapshotSchema) {
    auto s = plugin::SnapshotFromJson(doc);
    if (!s) return bad(s.error().what);
    state.snapshot = std::move(*s);
    return state;
  }
  if (schema != kStateSchema) return bad("unknown schema \"" + schema + "\"");
  if (!doc.contains("snapshot")) return bad("missing \"snapshot\"");
  auto s = plugin::SnapshotFromJson(doc["snapshot"]);
  if (!s) return bad("snapshot: " + s.error().what);
  state.snapshot = std::move(*s);
  if (doc.contains("subjects")) {
    if (!doc["subjects"].is_array()) return bad("\"subjects\" is not an array");
    for (const auto& j : doc["subjects"]) {
      if (!j.is_object() || !j.value("kind", json()).is_string() ||
          !j.value("id", json()).is_string())
        return bad("a subject without \"kind\" and \"id\"");
      SubjectState st{.kind = j["kind"].get<std::string>(),
                      .id = j["id"].get<std::string>(),
                      .verdict = ParseSeverity(j.value("verdict", "unknown"))};
      if (j.contains("findings") && j["findings"].is_array())
        for (const auto& f : j["findings"])
          if (f.is_object() && f.value("id", json()).is_string())
            st.findings.emplace_back(f["id"].get<std::string>(),
                                     ParseSeverity(f.value("severity", "unknown")));
      state.subjects.push_back(std::move(st));
    }
  }
  return state;
}

}  // namespace

Result<CheckState> LoadCheckState(const std::string& path) {
  // A state is one snapshot and its findings: a hub of 100,000 peers is
  // ~40 MiB. Anything larger, or not a file, is not ours.
  auto file = ReadRegularFile(path, kMaxStateBytes);
  if (!file) return file.error();
  return ParseCheckState(file->text, path);
}

Result<CheckState> ParseCheckState(std::string_view text, const std::string& source) {
  json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded())
    return MakeError(Error::Code::kInvalidInput, source + ": not valid JSON");
  // An unforeseen shape in the state file must not wedge every later run.
  try {
    return StateFromJson(doc, source);
  } catch (const json::exception&) {
    return MakeError(Error::Code::kInvalidInput, source + ": not an edgediag state file");
  }
}

}  // namespace edgediag::opmode

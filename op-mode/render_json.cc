// The JSON report, written straight from the Report (base/json_writer.h):
// 10,000 WireGuard peers make a 9 MB document, and building an nlohmann tree
// for it first cost five times the writing. Pretty-printed with two spaces,
// as nlohmann's dump(2) prints.
#include "base/json_writer.h"
#include "op-mode/render.h"
#include "plugin/snapshot_json.h"

namespace edgediag::opmode {

std::string RenderJson(const plugin::Report& report) {
  JsonWriter w(2);
  std::size_t findings = 0;
  for (const auto& sr : report.subjects) findings += sr.findings.size();
  w.text.reserve(1024 + 300 * report.subjects.size() + 700 * findings);
  auto field = [&w](std::string_view key, std::string_view value) {
    w.Key(key);
    w.String(value);
  };
  w.Open('{');
  field("schema", kReportSchema);
  field("command", report.command);
  field("taken_at", report.taken_at);
  w.Key("sources");
  w.Open('{');
  for (const auto& [name, st] : report.sources) {
    w.MapKey(name);
    w.Open('{');
    field("status", plugin::SourceStateName(st.state));
    if (!st.reason.empty()) field("reason", st.reason);
    w.Close('}');
  }
  w.Close('}');
  w.Key("subjects");
  w.Open('[');
  for (const auto& sr : report.subjects) {
    w.Open('{');
    field("kind", plugin::SubjectKindName(sr.subject.kind));
    field("id", sr.subject.id);
    field("verdict", plugin::SeverityName(sr.verdict));
    if (!sr.subject.interface.empty()) field("interface", sr.subject.interface);
    if (!sr.subject.peer.empty()) field("peer", sr.subject.peer);
    if (!sr.subject.name.empty()) field("name", sr.subject.name);
    w.Key("findings");
    w.Open('[');
    for (const auto& f : sr.findings) {
      w.Open('{');
      field("id", f.id);
      field("severity", plugin::SeverityName(f.severity));
      field("message", f.message);
      w.Key("evidence");
      w.Open('[');
      for (const auto& e : f.evidence) {
        w.Open('{');
        field("what", e.what);
        field("observed", e.observed);
        field("expected", e.expected);
        w.Close('}');
      }
      w.Close(']');
      field("remedy", f.remedy);
      w.Close('}');
    }
    w.Close(']');
    w.Close('}');
  }
  w.Close(']');
  w.Key("summary");
  w.Open('{');
  for (const auto& [k, v] : plugin::Summary(report)) {
    w.MapKey(k);
    w.Number(v);
  }
  w.Close('}');
  if (!report.notes.empty()) {
    w.Key("notes");
    w.Open('[');
    for (const auto& n : report.notes) w.String(n);
    w.Close(']');
  }
  w.Close('}');
  w.text += '\n';
  return std::move(w.text);
}

}  // namespace edgediag::opmode

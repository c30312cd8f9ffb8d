// The JSON report, written straight from the Report (base/json_writer.h):
// 10,000 WireGuard peers make a 5 MB document, and building an nlohmann tree
// for it first cost five times the writing; it goes out in 64 KiB pieces.
// One line per subject, with DESIGN.md's ", " and ": " (`grep wg-peer`
// gives one line per peer; `jq .` pretty-prints). Pretty-printed, the same
// report was 60% larger and took as much longer to write.
#include <ostream>

#include "base/json_writer.h"
#include "op-mode/render.h"
#include "plugin/snapshot_json.h"

namespace edgediag::opmode {

namespace {

void Write(JsonWriter& w, const plugin::Report& report) {
  auto field = [&w](std::string_view key, std::string_view value) {
    w.Key(key);
    w.String(value);
  };
  w.Open('{');
  field("schema", kReportSchema);
  field("command", report.command);
  field("taken_at", report.taken_at);
  w.LineBreak(1);
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
  w.LineBreak(1);
  w.Key("subjects");
  w.Open('[');
  for (const auto& sr : report.subjects) {
    w.LineBreak(2);
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
  w.LineBreak(1);
  w.Close(']');
  w.LineBreak(1);
  w.Key("summary");
  w.Open('{');
  for (const auto& [k, v] : plugin::Summary(report)) {
    w.MapKey(k);
    w.Number(v);
  }
  w.Close('}');
  if (!report.notes.empty()) {
    w.LineBreak(1);
    w.Key("notes");
    w.Open('[');
    for (const auto& n : report.notes) w.String(n);
    w.Close(']');
  }
  w.Close('}');
  w.text += '\n';
}

}  // namespace

std::string RenderJson(const plugin::Report& report) {
  JsonWriter w = JsonWriter::Spaced();
  Write(w, report);
  return std::move(w.text);
}

void RenderJson(const plugin::Report& report, std::ostream& out) {
  JsonWriter w = JsonWriter::Spaced();
  w.StreamTo([&out](std::string_view piece) {
    out.write(piece.data(), static_cast<std::streamsize>(piece.size()));
  });
  Write(w, report);
  w.Finish();
}

}  // namespace edgediag::opmode

// The JSON report, written straight from the Report (base/json_writer.h):
// 10,000 WireGuard peers make a 5 MB document, and building an nlohmann tree
// for it first cost five times the writing. One line per subject, with
// DESIGN.md's ", " and ": " (`grep wg-peer` gives one line per peer; `jq .`
// pretty-prints); pretty-printed, the same report was 60% larger and took as
// much longer to write. The subject lines are made side by side on the
// cores, a window of them at a time, and written out in order.
#include <ostream>
#include <sstream>

#include "base/json_writer.h"
#include "op-mode/render.h"
#include "plugin/parallel.h"
#include "plugin/snapshot_json.h"

namespace edgediag::opmode {

namespace {

void Field(JsonWriter& w, std::string_view key, std::string_view value) {
  w.Key(key);
  w.String(value);
}

void WriteSubject(JsonWriter& w, const plugin::SubjectReport& sr) {
  w.Open('{');
  Field(w, "kind", plugin::SubjectKindName(sr.subject.kind));
  Field(w, "id", sr.subject.id);
  Field(w, "verdict", plugin::SeverityName(sr.verdict));
  if (!sr.subject.interface.empty()) Field(w, "interface", sr.subject.interface);
  if (!sr.subject.peer.empty()) Field(w, "peer", sr.subject.peer);
  if (!sr.subject.name.empty()) Field(w, "name", sr.subject.name);
  w.Key("findings");
  w.Open('[');
  for (const auto& f : sr.findings) {
    w.Open('{');
    Field(w, "id", f.id);
    Field(w, "severity", plugin::SeverityName(f.severity));
    Field(w, "message", f.message);
    w.Key("evidence");
    w.Open('[');
    for (const auto& e : f.evidence) {
      w.Open('{');
      Field(w, "what", e.what);
      Field(w, "observed", e.observed);
      Field(w, "expected", e.expected);
      w.Close('}');
    }
    w.Close(']');
    Field(w, "remedy", f.remedy);
    w.Close('}');
  }
  w.Close(']');
  w.Close('}');
}

// Subjects [begin, end) as lines of the "subjects" array: each line starts
// with "\n  " (",\n  " but for the array's first).
std::string SubjectLines(std::span<const plugin::SubjectReport> subjects, bool first_in_array) {
  JsonWriter w = JsonWriter::Spaced();
  // Room for it all at once (the strings plus the keys around them), not
  // grown by doubling and copying.
  std::size_t room = 1;
  for (const auto& sr : subjects) {
    room += 128 + sr.subject.id.size() + sr.subject.interface.size() + sr.subject.peer.size() +
            sr.subject.name.size();
    for (const auto& f : sr.findings) {
      room += 96 + f.id.size() + f.message.size() + f.remedy.size();
      for (const auto& e : f.evidence)
        room += 48 + e.what.size() + e.observed.size() + e.expected.size();
    }
  }
  w.Reserve(room + room / 16);
  w.Open('[');
  for (const auto& sr : subjects) {
    w.LineBreak(2);
    WriteSubject(w, sr);
  }
  std::string text = w.Take();
  text[0] = ',';  // the '[' of this piece's own array
  if (first_in_array) text.erase(0, 1);
  return text;
}

}  // namespace

void RenderJson(const plugin::Report& report, std::ostream& out) {
  auto put = [&out](std::string_view piece) {
    out.write(piece.data(), static_cast<std::streamsize>(piece.size()));
  };
  JsonWriter w = JsonWriter::Spaced();
  w.Open('{');
  Field(w, "schema", kReportSchema);
  Field(w, "command", report.command);
  Field(w, "taken_at", report.taken_at);
  w.LineBreak(1);
  w.Key("sources");
  w.Open('{');
  for (const auto& [name, st] : report.sources) {
    w.MapKey(name);
    w.Open('{');
    Field(w, "status", plugin::SourceStateName(st.state));
    if (!st.reason.empty()) Field(w, "reason", st.reason);
    if (!st.warnings.empty()) {  // a count; the texts are in --detail
      w.Key("warnings");
      w.Number(st.warnings.size());
    }
    w.Close('}');
  }
  w.Close('}');
  w.LineBreak(1);
  w.Key("subjects");
  w.Raw("[");
  put(w.Take());

  // Four pieces of 512 subjects at a time: made in parallel, written in
  // order, in the same memory for the next four.
  constexpr std::size_t kPiece = 512, kWindow = 4 * kPiece;
  std::span<const plugin::SubjectReport> all(report.subjects);
  std::vector<std::string> pieces;
  for (std::size_t start = 0; start < all.size(); start += kWindow) {
    auto window = all.subspan(start, std::min(kWindow, all.size() - start));
    pieces.assign((window.size() + kPiece - 1) / kPiece, {});
    plugin::ForEachParallel(pieces.size(), 1, [&](std::size_t i) {
      auto part = window.subspan(i * kPiece, std::min(kPiece, window.size() - i * kPiece));
      pieces[i] = SubjectLines(part, start == 0 && i == 0);
    });
    for (const auto& p : pieces) put(p);
  }

  w.Append(all.empty() ? "]" : "\n ]");
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
  w.Append("\n");
  put(w.view());
}

std::string RenderJson(const plugin::Report& report) {
  std::ostringstream out;
  RenderJson(report, out);
  return std::move(out).str();
}

}  // namespace edgediag::opmode

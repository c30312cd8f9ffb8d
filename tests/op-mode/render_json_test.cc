// The JSON report (edgediag.report/1): written directly, it must parse to the
// very tree of the schema (keys in the same order), laid out one line per
// subject.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "op-mode/render.h"
#include "plugin/snapshot_json.h"

namespace edgediag::opmode {
namespace {

using json = nlohmann::ordered_json;
using plugin::Severity;
using plugin::SubjectKind;

// The schema as a tree: the reference the direct writer is held to.
json Reference(const plugin::Report& report) {
  json j;
  j["schema"] = kReportSchema;
  j["command"] = report.command;
  j["taken_at"] = report.taken_at;
  json sources = json::object();
  for (const auto& [name, st] : report.sources) {
    json s{{"status", plugin::SourceStateName(st.state)}};
    if (!st.reason.empty()) s["reason"] = st.reason;
    if (!st.warnings.empty()) s["warnings"] = st.warnings.size();
    sources[name] = s;
  }
  j["sources"] = sources;
  json subjects = json::array();
  for (const auto& sr : report.subjects) {
    json sj{{"kind", plugin::SubjectKindName(sr.subject.kind)},
            {"id", sr.subject.id},
            {"verdict", plugin::SeverityName(sr.verdict)}};
    if (!sr.subject.interface.empty()) sj["interface"] = sr.subject.interface;
    if (!sr.subject.peer.empty()) sj["peer"] = sr.subject.peer;
    if (!sr.subject.name.empty()) sj["name"] = sr.subject.name;
    json findings = json::array();
    for (const auto& f : sr.findings) {
      json ev = json::array();
      for (const auto& e : f.evidence)
        ev.push_back({{"what", e.what}, {"observed", e.observed}, {"expected", e.expected}});
      findings.push_back({{"id", f.id},
                          {"severity", plugin::SeverityName(f.severity)},
                          {"message", f.message},
                          {"evidence", ev},
                          {"remedy", f.remedy}});
    }
    sj["findings"] = findings;
    subjects.push_back(sj);
  }
  j["subjects"] = subjects;
  json summary = json::object();
  for (const auto& [k, v] : plugin::Summary(report)) summary[k] = v;
  j["summary"] = summary;
  if (!report.notes.empty()) j["notes"] = report.notes;
  return j;
}

plugin::Report Sample() {
  plugin::Report r{.command = "vpn", .taken_at = "2026-11-26T02:00:00Z"};
  r.sources["vici"] = {plugin::SourceState::kUnavailable, "no socket at \"/var/run/charon.vici\""};
  r.sources["xfrm"] = {
      plugin::SourceState::kOk, "", {"XFRM_MSG_NEWSA: bytes after the last attribute"}};
  r.sources["wireguard"] = {plugin::SourceState::kOk, ""};
  plugin::Subject peer{SubjectKind::kWgPeer, "wg0:xTIBA5rb=", "wg0", "xTIBA5rb=", "branch\tone"};
  r.subjects.push_back(
      {.subject = peer,
       .verdict = Severity::kCritical,
       .findings = {{.id = "wg.handshake.never",
                     .severity = Severity::kCritical,
                     .subject = peer,
                     .message = "no handshake — caf\xc3\xa9 \\ \"x\"\n",
                     .evidence = {{"last handshake", "never", "within 180 s"},
                                  {"endpoint", "198.51.100.7:51820", ""}},
                     .remedy = "wg show wg0"},
                    {.id = "wg.mtu", .severity = Severity::kInfo, .subject = peer}}});
  plugin::Subject iface{SubjectKind::kWgInterface, "wg0", "wg0", "", ""};
  r.subjects.push_back({.subject = iface,
                        .verdict = Severity::kOk,
                        .findings = {{.id = "wg.ok", .severity = Severity::kOk, .subject = iface}}});
  plugin::Subject bare{SubjectKind::kHost, "router", "", "", ""};
  r.subjects.push_back({.subject = bare, .verdict = Severity::kUnknown});
  return r;
}

// The text, parsed with key order kept, printed compactly.
std::string Reparsed(const std::string& text) { return json::parse(text).dump(); }

TEST(RenderJson, IsTheSchemaTree) {
  plugin::Report r = Sample();
  EXPECT_EQ(Reparsed(RenderJson(r)), Reference(r).dump());
  r.notes = {"No VPN to examine.", "second \x01 note"};
  EXPECT_EQ(Reparsed(RenderJson(r)), Reference(r).dump());
}

TEST(RenderJson, OneLinePerSubject) {
  plugin::Report r = Sample();
  r.notes = {"a note"};
  std::istringstream in(RenderJson(r));
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  ASSERT_EQ(lines.size(), 9u);
  EXPECT_EQ(lines[0],
            R"({"schema": "edgediag.report/1", "command": "vpn", "taken_at": "2026-11-26T02:00:00Z",)");
  EXPECT_EQ(lines[1].rfind(R"( "sources": {"vici": {"status": "unavailable", )", 0), 0u);
  EXPECT_EQ(lines[2], R"( "subjects": [)");
  EXPECT_EQ(lines[3].rfind(R"(  {"kind": "wg-peer", "id": "wg0:xTIBA5rb=", )", 0), 0u);
  EXPECT_EQ(lines[4].rfind(R"(  {"kind": "wg-interface", )", 0), 0u);
  EXPECT_EQ(lines[5], R"(  {"kind": "host", "id": "router", "verdict": "unknown", "findings": []})");
  EXPECT_EQ(lines[6], R"( ],)");
  EXPECT_EQ(lines[7], R"( "summary": {"critical": 1, "ok": 1, "unknown": 1, "warning": 0},)");
  EXPECT_EQ(lines[8], R"( "notes": ["a note"]})");
}

// Subject lines are made in pieces on several threads: past a piece and a
// window, the document is still the tree, in order, one line per subject.
TEST(RenderJson, ManySubjectsStayInOrder) {
  plugin::Report r = Sample();
  for (int i = 0; i < 20000; ++i) {
    plugin::SubjectReport sr = r.subjects[1];
    sr.subject.id = "wg" + std::to_string(i);
    r.subjects.push_back(std::move(sr));
  }
  std::ostringstream out;
  RenderJson(r, out);
  EXPECT_EQ(Reparsed(out.str()), Reference(r).dump());
  std::size_t lines = 0;
  for (char c : out.str()) lines += c == '\n';
  EXPECT_EQ(lines, r.subjects.size() + 5);  // head, sources, "[", subjects, "]", summary
}

TEST(RenderJson, EmptyReport) {
  plugin::Report r{.command = "dx"};
  EXPECT_EQ(Reparsed(RenderJson(r)), Reference(r).dump());
  EXPECT_NE(RenderJson(r).find(R"( "subjects": [],)"), std::string::npos);
}

TEST(RenderJson, BytesThatAreNotUtf8StillMakeValidJson) {
  plugin::Report r = Sample();
  r.subjects[0].findings[0].message = std::string("bad \xff byte");
  auto doc = json::parse(RenderJson(r));
  EXPECT_EQ(doc["subjects"][0]["findings"][0]["message"], "bad \xef\xbf\xbd byte");
}

}  // namespace
}  // namespace edgediag::opmode

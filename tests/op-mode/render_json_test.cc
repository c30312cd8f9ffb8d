// The JSON report (edgediag.report/1): written directly, it must be the very
// text the nlohmann tree of the schema prints with dump(2), so that nothing a
// consumer parses or greps changes.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

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

TEST(RenderJson, IsTheSchemaTreePrettyPrinted) {
  plugin::Report r = Sample();
  EXPECT_EQ(RenderJson(r), Reference(r).dump(2) + "\n");
  r.notes = {"No VPN to examine.", "second \x01 note"};
  EXPECT_EQ(RenderJson(r), Reference(r).dump(2) + "\n");
}

TEST(RenderJson, EmptyReport) {
  plugin::Report r{.command = "dx"};
  EXPECT_EQ(RenderJson(r), Reference(r).dump(2) + "\n");
}

TEST(RenderJson, BytesThatAreNotUtf8StillMakeValidJson) {
  plugin::Report r = Sample();
  r.subjects[0].findings[0].message = std::string("bad \xff byte");
  auto doc = json::parse(RenderJson(r));
  EXPECT_EQ(doc["subjects"][0]["findings"][0]["message"], "bad \xef\xbf\xbd byte");
}

}  // namespace
}  // namespace edgediag::opmode

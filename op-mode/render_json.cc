#include <nlohmann/json.hpp>

#include "op-mode/render.h"
#include "plugin/snapshot_json.h"

namespace edgediag::opmode {

using json = nlohmann::ordered_json;
using plugin::SeverityName;

nlohmann::ordered_json ReportToJson(const plugin::Report& report) {
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
            {"verdict", SeverityName(sr.verdict)}};
    if (!sr.subject.interface.empty()) sj["interface"] = sr.subject.interface;
    if (!sr.subject.peer.empty()) sj["peer"] = sr.subject.peer;
    if (!sr.subject.name.empty()) sj["name"] = sr.subject.name;
    json findings = json::array();
    for (const auto& f : sr.findings) {
      json ev = json::array();
      for (const auto& e : f.evidence)
        ev.push_back({{"what", e.what}, {"observed", e.observed}, {"expected", e.expected}});
      findings.push_back({{"id", f.id},
                          {"severity", SeverityName(f.severity)},
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

}  // namespace edgediag::opmode

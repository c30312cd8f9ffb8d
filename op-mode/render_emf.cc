#include <algorithm>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "op-mode/metrics.h"

namespace edgediag::opmode {
namespace {

using json = nlohmann::ordered_json;

// The subject's own counters, as EMF metrics. Each entry becomes a metric
// definition and a top-level member of the same name.
struct Metric {
  const char* name;
  const char* unit;
  double value;
};

std::vector<Metric> SubjectMetrics(const plugin::SubjectReport& sr, const plugin::Snapshot& s) {
  std::vector<Metric> m;
  int problems = 0;
  for (const auto& f : sr.findings) problems += f.severity >= plugin::Severity::kUnknown;
  m.push_back({"Verdict", "None", static_cast<double>(NagiosCode(sr.verdict))});
  m.push_back({"Problems", "Count", static_cast<double>(problems)});
  switch (sr.subject.kind) {
    case plugin::SubjectKind::kDxVif:
      for (const auto& b : s.bgp_neighbors)
        if (b.address == sr.subject.peer) {
          m.push_back({"BgpEstablished", "None", b.bgpState == "Established" ? 1.0 : 0.0});
          break;
        }
      break;
    case plugin::SubjectKind::kWgPeer:
      for (const auto& w : s.wireguard)
        for (const auto& p : w.peers)
          if (w.name == sr.subject.interface && p.public_key == sr.subject.peer) {
            if (p.last_handshake > 0)
              m.push_back({"HandshakeAgeSeconds", "Seconds",
                           static_cast<double>(std::max<std::int64_t>(
                               0, s.taken_at_ms / 1000 - p.last_handshake))});
            m.push_back({"RxBytes", "Bytes", static_cast<double>(p.rx_bytes)});
            m.push_back({"TxBytes", "Bytes", static_cast<double>(p.tx_bytes)});
          }
      break;
    case plugin::SubjectKind::kIpsecConnection: {
      double ike = 0, in = 0, out = 0;
      for (const auto& sa : s.ike_sas) {
        if (sa.name != sr.subject.id) continue;
        ike += sa.state == "ESTABLISHED";
        for (const auto& ch : sa.child_sas) {
          in += static_cast<double>(ch.bytes_in);
          out += static_cast<double>(ch.bytes_out);
        }
      }
      m.push_back({"IkeSas", "Count", ike});
      m.push_back({"BytesIn", "Bytes", in});
      m.push_back({"BytesOut", "Bytes", out});
      break;
    }
    default: break;
  }
  return m;
}

}  // namespace

std::string RenderEmf(const plugin::Report& report, const plugin::Snapshot& s) {
  std::string out;
  for (const auto& sr : report.subjects) {
    auto metrics = SubjectMetrics(sr, s);
    json defs = json::array();
    for (const auto& m : metrics) defs.push_back({{"Name", m.name}, {"Unit", m.unit}});
    json doc;
    doc["_aws"] = {{"Timestamp", s.taken_at_ms},
                   {"CloudWatchMetrics",
                    json::array({{{"Namespace", kEmfNamespace},
                                  {"Dimensions", json::array({{"Host", "Kind", "Subject"}})},
                                  {"Metrics", defs}}})}};
    doc["Host"] = s.hostname;
    doc["Kind"] = plugin::SubjectKindName(sr.subject.kind);
    doc["Subject"] = sr.subject.id;
    for (const auto& m : metrics) doc[m.name] = m.value;
    doc["verdict"] = plugin::SeverityName(sr.verdict);
    json checks = json::array();
    for (const auto& f : sr.findings) checks.push_back(f.id);
    doc["findings"] = checks;
    if (!sr.subject.interface.empty()) doc["interface"] = sr.subject.interface;
    if (!sr.subject.peer.empty()) doc["peer"] = sr.subject.peer;
    // Replacement of invalid UTF-8 keeps one bad byte from losing the line.
    out += doc.dump(-1, ' ', false, json::error_handler_t::replace);
    out += '\n';
  }
  return out;
}

}  // namespace edgediag::opmode

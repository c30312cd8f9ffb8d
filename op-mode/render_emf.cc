#include <algorithm>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

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

const plugin::BgpNeighbor* Neighbor(const plugin::Subject& subject, const plugin::Snapshot& s) {
  if (subject.peer.empty()) return nullptr;
  for (const auto& b : s.bgp_neighbors)
    if (b.address == subject.peer) return &b;
  return nullptr;
}

// The router's side of the per-VIF BGP metrics AWS publishes in AWS/DX
// (VirtualInterfaceBgpStatus, VirtualInterfaceBgpPrefixesAccepted,
// VirtualInterfaceBgpPrefixesAdvertised; AWS networking blog, "Introducing
// CloudWatch Metrics for AWS Direct Connect Virtual Interface BGP Health and
// Prefix Count", 2026): status 1 up (Established), 0 down; "accepted" is
// what AWS took from the customer router, so the router's view is what it
// advertised; "advertised" is what AWS sent, so the router's view is what it
// received. A session that is not Established exchanges no prefixes: 0.
std::vector<Metric> BgpParityMetrics(const plugin::Subject& subject, const plugin::Snapshot& s) {
  const auto* b = Neighbor(subject, s);
  const bool up = b && b->bgpState == "Established";
  auto count = [&](const std::optional<std::uint64_t>& n) {
    return up && n ? static_cast<double>(*n) : 0.0;
  };
  return {{"BgpStatus", "None", up ? 1.0 : 0.0},
          {"BgpPrefixesAccepted", "Count", b ? count(b->prefixesSent) : 0.0},
          {"BgpPrefixesAdvertised", "Count", b ? count(b->prefixesReceived) : 0.0}};
}

const plugin::Vif* DescribedVif(const plugin::Subject& subject, const plugin::Snapshot& s) {
  if (subject.kind != plugin::SubjectKind::kDxVif) return nullptr;
  for (const auto& v : s.vifs)
    if (v.virtualInterfaceId == subject.id) return &v;
  return nullptr;
}

json Definitions(const std::vector<Metric>& metrics) {
  json defs = json::array();
  for (const auto& m : metrics) defs.push_back({{"Name", m.name}, {"Unit", m.unit}});
  return defs;
}

std::vector<Metric> SubjectMetrics(const plugin::SubjectReport& sr, const plugin::Snapshot& s) {
  std::vector<Metric> m;
  int problems = 0;
  for (const auto& f : sr.findings) problems += f.severity >= plugin::Severity::kUnknown;
  m.push_back({"Verdict", "None", static_cast<double>(NagiosCode(sr.verdict))});
  m.push_back({"Problems", "Count", static_cast<double>(problems)});
  switch (sr.subject.kind) {
    case plugin::SubjectKind::kDxVif:
      if (const auto* b = Neighbor(sr.subject, s))
        m.push_back({"BgpEstablished", "None", b->bgpState == "Established" ? 1.0 : 0.0});
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
    json directives = json::array();
    directives.push_back({{"Namespace", kEmfNamespace},
                          {"Dimensions", json::array({{"Host", "Kind", "Subject"}})},
                          {"Metrics", Definitions(metrics)}});
    // A described VIF also gets AWS/DX's dimensions, so that the router's
    // and AWS's view of one VIF chart together.
    const plugin::Vif* vif = DescribedVif(sr.subject, s);
    std::vector<Metric> parity;
    if (vif) {
      parity = BgpParityMetrics(sr.subject, s);
      json sets = json::array({json::array({"VirtualInterfaceId"})});
      if (!vif->connectionId.empty())
        sets.push_back(json::array({"ConnectionId", "VirtualInterfaceId"}));
      directives.push_back(
          {{"Namespace", kEmfNamespace}, {"Dimensions", sets}, {"Metrics", Definitions(parity)}});
    }
    json doc;
    doc["_aws"] = {{"Timestamp", s.taken_at_ms}, {"CloudWatchMetrics", directives}};
    doc["Host"] = s.hostname;
    doc["Kind"] = plugin::SubjectKindName(sr.subject.kind);
    doc["Subject"] = sr.subject.id;
    if (vif) {
      doc["VirtualInterfaceId"] = vif->virtualInterfaceId;
      if (!vif->connectionId.empty()) doc["ConnectionId"] = vif->connectionId;
    }
    for (const auto& m : metrics) doc[m.name] = m.value;
    for (const auto& m : parity) doc[m.name] = m.value;
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

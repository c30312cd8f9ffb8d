#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "op-mode/metrics.h"
#include "plugin/snapshot_json.h"

namespace edgediag::opmode {
namespace {

using Labels = std::vector<std::pair<std::string, std::string>>;

// One metric family: HELP, TYPE, then its series, kept together as the text
// format requires. Series with the same labels are written once.
class Family {
 public:
  Family(std::string name, std::string type, std::string help)
      : name_(std::move(name)), type_(std::move(type)), help_(std::move(help)) {}

  void Add(const Labels& labels, std::string value) {
    std::string l;
    for (const auto& [k, v] : labels) {
      if (!l.empty()) l += ",";
      l += fmt::format("{}=\"{}\"", k, PrometheusEscape(v));
    }
    if (!seen_.insert(l).second) return;
    series_.push_back(l.empty() ? fmt::format("{} {}\n", name_, value)
                                : fmt::format("{}{{{}}} {}\n", name_, l, value));
  }
  void Add(const Labels& labels, std::uint64_t value) { Add(labels, std::to_string(value)); }
  void Add(const Labels& labels, std::int64_t value) { Add(labels, std::to_string(value)); }
  void Add(const Labels& labels, int value) { Add(labels, std::to_string(value)); }

  void AppendTo(std::string& out) const {
    if (series_.empty()) return;
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name_, help_, name_, type_);
    for (const auto& s : series_) out += s;
  }

 private:
  std::string name_, type_, help_;
  std::set<std::string> seen_;
  std::vector<std::string> series_;
};

// FRR's BGP FSM states, numbered in RFC 4271 order.
int BgpStateNumber(const std::string& state) {
  static const std::map<std::string, int> kStates{{"Idle", 1},     {"Connect", 2},
                                                  {"Active", 3},   {"OpenSent", 4},
                                                  {"OpenConfirm", 5}, {"Established", 6}};
  auto it = kStates.find(state);
  return it == kStates.end() ? 0 : it->second;
}

// The labels alerts and dashboards show for a subject. A DX subject's id is
// its VIF id only when a VIF file describes it (else the peer address); the
// tunnel of a WireGuard subject is its interface, of IPsec its connection.
Labels InfoLabels(const plugin::Subject& subject, const plugin::Snapshot& s) {
  std::string vif_id, connection_id, tunnel;
  switch (subject.kind) {
    case plugin::SubjectKind::kDxVif:
      for (const auto& v : s.vifs)
        if (v.virtualInterfaceId == subject.id) {
          vif_id = v.virtualInterfaceId;
          connection_id = v.connectionId;
          break;
        }
      break;
    case plugin::SubjectKind::kIpsecConnection: tunnel = subject.id; break;
    case plugin::SubjectKind::kWgPeer:
    case plugin::SubjectKind::kWgInterface: tunnel = subject.interface; break;
    case plugin::SubjectKind::kHost: break;
  }
  return {{"kind", plugin::SubjectKindName(subject.kind)},
          {"id", subject.id},
          {"peer", subject.peer},
          {"interface", subject.interface},
          {"name", subject.name},
          {"vif_id", vif_id},
          {"connection_id", connection_id},
          {"tunnel", tunnel}};
}

}  // namespace

int NagiosCode(plugin::Severity severity) {
  switch (severity) {
    case plugin::Severity::kOk:
    case plugin::Severity::kInfo: return 0;
    case plugin::Severity::kWarning: return 1;
    case plugin::Severity::kCritical: return 2;
    case plugin::Severity::kUnknown: return 3;
  }
  return 3;
}

std::string PrometheusEscape(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '"': out += "\\\""; break;
      case '\n': out += "\\n"; break;
      default: out += c;
    }
  }
  return out;
}

std::string RenderPrometheus(const plugin::Report& report, const plugin::Snapshot& s) {
  using plugin::SeverityName;
  using plugin::SubjectKindName;

  Family timestamp("edgediag_check_timestamp_seconds", "gauge",
                   "When the checked snapshot was taken, unix seconds.");
  Family source_up("edgediag_source_up", "gauge",
                   "1 when the source could be read, 0 when it could not (or was not asked).");
  Family subjects("edgediag_subjects", "gauge", "Subjects per verdict.");
  Family verdict("edgediag_subject_verdict", "gauge",
                 "Verdict per subject as a Nagios code: 0 ok, 1 warning, 2 critical, 3 unknown.");
  Family finding("edgediag_finding", "gauge",
                 "1 for every finding of a subject; label check is the stable check id.");
  Family bgp_state("edgediag_bgp_state", "gauge",
                   "BGP FSM state: 1 Idle, 2 Connect, 3 Active, 4 OpenSent, 5 OpenConfirm, "
                   "6 Established, 0 unknown.");
  Family bgp_up("edgediag_bgp_established", "gauge", "1 when the BGP session is Established.");
  Family bgp_dropped("edgediag_bgp_connections_dropped_total", "counter",
                     "Established BGP sessions that dropped, as FRR counts them.");
  Family bgp_prefixes("edgediag_bgp_prefixes_received", "gauge",
                      "Prefixes received from the BGP peer.");
  Family bgp_sent("edgediag_bgp_prefixes_sent", "gauge", "Prefixes advertised to the BGP peer.");
  Family info("edgediag_subject_info", "gauge",
              "Always 1: a subject's names, to join on kind, id and peer. vif_id and "
              "connection_id for a DX VIF described by a VIF file, tunnel for a VPN subject.");
  Family cause("edgediag_subject_cause", "gauge",
               "1 for a subject's most likely cause (its first finding); label check is its id, "
               "severity the subject's verdict.");
  Family wg_hs_age("edgediag_wg_handshake_age_seconds", "gauge",
                   "Seconds since the last WireGuard handshake (absent: never).");
  Family wg_hs("edgediag_wg_last_handshake_timestamp_seconds", "gauge",
               "Last WireGuard handshake, unix seconds; 0 means never.");
  Family wg_rx("edgediag_wg_rx_bytes_total", "counter", "Bytes received from the WireGuard peer.");
  Family wg_tx("edgediag_wg_tx_bytes_total", "counter", "Bytes sent to the WireGuard peer.");
  Family ike("edgediag_ipsec_ike_sas", "gauge",
             "Established IKE SAs per configured connection (more than 1: duplicates).");
  Family child_installed("edgediag_ipsec_child_sas_installed", "gauge",
                         "INSTALLED CHILD SAs per connection and child.");
  Family child_bytes("edgediag_ipsec_child_bytes_total", "counter",
                     "Bytes through the CHILD SAs of a connection, per direction.");
  Family child_packets("edgediag_ipsec_child_packets_total", "counter",
                       "Packets through the CHILD SAs of a connection, per direction.");

  timestamp.Add({}, fmt::format("{:.3f}", static_cast<double>(s.taken_at_ms) / 1000.0));
  for (const auto& [name, st] : s.sources)
    source_up.Add({{"source", name}}, st.state == plugin::SourceState::kOk ? 1 : 0);
  for (const auto& [v, n] : plugin::Summary(report)) subjects.Add({{"verdict", v}}, n);

  for (const auto& sr : report.subjects) {
    const auto kind = SubjectKindName(sr.subject.kind);
    verdict.Add({{"kind", kind},
                 {"id", sr.subject.id},
                 {"interface", sr.subject.interface},
                 {"peer", sr.subject.peer}},
                NagiosCode(sr.verdict));
    info.Add(InfoLabels(sr.subject, s), 1);
    if (!sr.findings.empty())
      cause.Add({{"kind", kind},
                 {"id", sr.subject.id},
                 {"peer", sr.subject.peer},
                 {"check", sr.findings.front().id},
                 {"severity", SeverityName(sr.verdict)}},
                1);
    for (const auto& f : sr.findings)
      finding.Add({{"kind", kind},
                   {"id", sr.subject.id},
                   {"check", f.id},
                   {"severity", SeverityName(f.severity)}},
                  1);
  }

  for (const auto& b : s.bgp_neighbors) {
    Labels l{{"peer", b.address}, {"vrf", b.vrf}};
    if (b.remoteAs) l.emplace_back("remote_as", std::to_string(*b.remoteAs));
    bgp_state.Add(l, BgpStateNumber(b.bgpState));
    bgp_up.Add(l, b.bgpState == "Established" ? 1 : 0);
    bgp_dropped.Add(l, b.connectionsDropped);
    if (b.prefixesReceived) bgp_prefixes.Add(l, *b.prefixesReceived);
    if (b.prefixesSent) bgp_sent.Add(l, *b.prefixesSent);
  }

  const std::int64_t now_s = s.taken_at_ms / 1000;
  for (const auto& w : s.wireguard) {
    for (const auto& p : w.peers) {
      Labels l{{"interface", w.name}, {"peer", p.public_key}};
      if (!p.name.empty()) l.emplace_back("name", p.name);
      wg_hs.Add(l, p.last_handshake);
      if (p.last_handshake > 0)
        wg_hs_age.Add(l, std::max<std::int64_t>(0, now_s - p.last_handshake));
      wg_rx.Add(l, p.rx_bytes);
      wg_tx.Add(l, p.tx_bytes);
    }
  }

  // Per connection and child, summed over SAs: rekeying and duplicate IKE
  // SAs would otherwise give two series with the same labels.
  std::map<std::string, int> ike_count;
  for (const auto& c : s.ipsec_connections) ike_count.emplace(c.name, 0);
  struct ChildSum {
    int installed = 0;
    std::uint64_t bytes_in = 0, bytes_out = 0, packets_in = 0, packets_out = 0;
  };
  std::map<std::pair<std::string, std::string>, ChildSum> children;
  for (const auto& c : s.ipsec_connections)
    for (const auto& ch : c.children) children.try_emplace({c.name, ch.name});
  for (const auto& sa : s.ike_sas) {
    int& established = ike_count[sa.name];
    if (sa.state == "ESTABLISHED") ++established;
    for (const auto& ch : sa.child_sas) {
      auto& sum = children[{sa.name, ch.name}];
      if (ch.state == "INSTALLED") ++sum.installed;
      sum.bytes_in += ch.bytes_in;
      sum.bytes_out += ch.bytes_out;
      sum.packets_in += ch.packets_in;
      sum.packets_out += ch.packets_out;
    }
  }
  for (const auto& [name, n] : ike_count) ike.Add({{"connection", name}}, n);
  for (const auto& [key, sum] : children) {
    Labels l{{"connection", key.first}, {"child", key.second}};
    child_installed.Add(l, sum.installed);
    auto with = [&](const char* dir) {
      Labels d = l;
      d.emplace_back("direction", dir);
      return d;
    };
    child_bytes.Add(with("in"), sum.bytes_in);
    child_bytes.Add(with("out"), sum.bytes_out);
    child_packets.Add(with("in"), sum.packets_in);
    child_packets.Add(with("out"), sum.packets_out);
  }

  std::string out;
  for (const Family* f :
       {&timestamp, &source_up, &subjects, &verdict, &finding, &info, &cause, &bgp_state, &bgp_up,
        &bgp_dropped, &bgp_prefixes, &bgp_sent, &wg_hs_age, &wg_hs, &wg_rx, &wg_tx, &ike,
        &child_installed, &child_bytes, &child_packets})
    f->AppendTo(out);
  return out;
}

}  // namespace edgediag::opmode

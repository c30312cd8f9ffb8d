// The Prometheus textfile and the CloudWatch EMF lines: goldens on a
// hand-built report, label escaping, and promtool's own verdict.
#include "op-mode/metrics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "plugin/report.h"
#include "tests/support/dx_fixture.h"

namespace edgediag::opmode {
namespace {

namespace fs = std::filesystem;
using plugin::Finding;
using plugin::Report;
using plugin::Severity;
using plugin::Snapshot;
using plugin::Subject;
using plugin::SubjectKind;
using plugin::SubjectReport;
using testing::HealthyDx;
using ::testing::HasSubstr;

constexpr char kWgKey[] = "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=";

// HealthyDx plus one WireGuard peer and one IPsec connection with a CHILD SA.
Snapshot Router() {
  Snapshot s = HealthyDx();
  s.sources[plugin::kSourceWireguard] = {plugin::SourceState::kOk, ""};
  s.sources[plugin::kSourceVici] = {plugin::SourceState::kUnavailable, "no charon"};
  plugin::WgInterface wg{.name = "wg0", .ifindex = 9, .listen_port = 51820};
  wg.peers.push_back({.public_key = kWgKey,
                      .endpoint = "198.51.100.7:51820",
                      .allowed_ips = {"10.9.0.0/24"},
                      .last_handshake = s.taken_at_ms / 1000 - 42,
                      .rx_bytes = 1000,
                      .tx_bytes = 250000,
                      .name = "branch \"7\"\\x"});
  s.wireguard.push_back(wg);
  s.ipsec_connections.push_back({.name = "site-a", .remote_addrs = {"203.0.113.9"},
                                 .children = {{.name = "net"}}});
  plugin::IkeSa ike{.name = "site-a", .uniqueid = 1, .state = "ESTABLISHED"};
  ike.child_sas.push_back({.name = "net", .uniqueid = 2, .state = "INSTALLED", .bytes_in = 0,
                           .bytes_out = 4096, .packets_in = 0, .packets_out = 32});
  s.ike_sas.push_back(ike);
  return s;
}

// A report as BuildReport would shape it, built by hand so that the goldens
// do not move when a rule changes.
Report RouterReport() {
  Report r{.command = "check", .taken_at = "2026-11-26T02:00:00Z"};
  Subject vif{SubjectKind::kDxVif, "dxvif-test1", "eth1.101", "169.254.10.1", ""};
  Subject peer{SubjectKind::kWgPeer, std::string("wg0:") + kWgKey, "wg0", kWgKey, "branch \"7\"\\x"};
  Subject conn{SubjectKind::kIpsecConnection, "site-a", "", "203.0.113.9", ""};
  r.subjects.push_back({conn, Severity::kCritical,
                        {Finding{.id = "ipsec.traffic.one-way", .severity = Severity::kCritical},
                         Finding{.id = "ipsec.nat.no-encap", .severity = Severity::kWarning}}});
  r.subjects.push_back({vif, Severity::kOk,
                        {Finding{.id = "dx.ok", .severity = Severity::kOk},
                         Finding{.id = "dx.bgp.state", .severity = Severity::kInfo}}});
  r.subjects.push_back({peer, Severity::kOk, {Finding{.id = "wg.ok", .severity = Severity::kOk}}});
  return r;
}

constexpr char kGoldenProm[] = R"(# HELP edgediag_check_timestamp_seconds When the checked snapshot was taken, unix seconds.
# TYPE edgediag_check_timestamp_seconds gauge
edgediag_check_timestamp_seconds 1795658400.000
# HELP edgediag_source_up 1 when the source could be read, 0 when it could not (or was not asked).
# TYPE edgediag_source_up gauge
edgediag_source_up{source="counters"} 1
edgediag_source_up{source="frr"} 1
edgediag_source_up{source="kernel"} 1
edgediag_source_up{source="md5"} 1
edgediag_source_up{source="sockets"} 1
edgediag_source_up{source="vici"} 0
edgediag_source_up{source="vif"} 1
edgediag_source_up{source="wireguard"} 1
# HELP edgediag_subjects Subjects per verdict.
# TYPE edgediag_subjects gauge
edgediag_subjects{verdict="critical"} 1
edgediag_subjects{verdict="ok"} 2
edgediag_subjects{verdict="unknown"} 0
edgediag_subjects{verdict="warning"} 0
# HELP edgediag_subject_verdict Verdict per subject as a Nagios code: 0 ok, 1 warning, 2 critical, 3 unknown.
# TYPE edgediag_subject_verdict gauge
edgediag_subject_verdict{kind="ipsec-connection",id="site-a",interface="",peer="203.0.113.9"} 2
edgediag_subject_verdict{kind="dx-vif",id="dxvif-test1",interface="eth1.101",peer="169.254.10.1"} 0
edgediag_subject_verdict{kind="wg-peer",id="wg0:xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=",interface="wg0",peer="xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg="} 0
# HELP edgediag_finding 1 for every finding of a subject; label check is the stable check id.
# TYPE edgediag_finding gauge
edgediag_finding{kind="ipsec-connection",id="site-a",check="ipsec.traffic.one-way",severity="critical"} 1
edgediag_finding{kind="ipsec-connection",id="site-a",check="ipsec.nat.no-encap",severity="warning"} 1
edgediag_finding{kind="dx-vif",id="dxvif-test1",check="dx.ok",severity="ok"} 1
edgediag_finding{kind="dx-vif",id="dxvif-test1",check="dx.bgp.state",severity="info"} 1
edgediag_finding{kind="wg-peer",id="wg0:xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=",check="wg.ok",severity="ok"} 1
# HELP edgediag_bgp_state BGP FSM state: 1 Idle, 2 Connect, 3 Active, 4 OpenSent, 5 OpenConfirm, 6 Established, 0 unknown.
# TYPE edgediag_bgp_state gauge
edgediag_bgp_state{peer="169.254.10.1",vrf="default",remote_as="64512"} 6
# HELP edgediag_bgp_established 1 when the BGP session is Established.
# TYPE edgediag_bgp_established gauge
edgediag_bgp_established{peer="169.254.10.1",vrf="default",remote_as="64512"} 1
# HELP edgediag_bgp_connections_dropped_total Established BGP sessions that dropped, as FRR counts them.
# TYPE edgediag_bgp_connections_dropped_total counter
edgediag_bgp_connections_dropped_total{peer="169.254.10.1",vrf="default",remote_as="64512"} 0
# HELP edgediag_wg_handshake_age_seconds Seconds since the last WireGuard handshake (absent: never).
# TYPE edgediag_wg_handshake_age_seconds gauge
edgediag_wg_handshake_age_seconds{interface="wg0",peer="xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=",name="branch \"7\"\\x"} 42
# HELP edgediag_wg_last_handshake_timestamp_seconds Last WireGuard handshake, unix seconds; 0 means never.
# TYPE edgediag_wg_last_handshake_timestamp_seconds gauge
edgediag_wg_last_handshake_timestamp_seconds{interface="wg0",peer="xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=",name="branch \"7\"\\x"} 1795658358
# HELP edgediag_wg_rx_bytes_total Bytes received from the WireGuard peer.
# TYPE edgediag_wg_rx_bytes_total counter
edgediag_wg_rx_bytes_total{interface="wg0",peer="xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=",name="branch \"7\"\\x"} 1000
# HELP edgediag_wg_tx_bytes_total Bytes sent to the WireGuard peer.
# TYPE edgediag_wg_tx_bytes_total counter
edgediag_wg_tx_bytes_total{interface="wg0",peer="xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=",name="branch \"7\"\\x"} 250000
# HELP edgediag_ipsec_ike_sas Established IKE SAs per configured connection (more than 1: duplicates).
# TYPE edgediag_ipsec_ike_sas gauge
edgediag_ipsec_ike_sas{connection="site-a"} 1
# HELP edgediag_ipsec_child_sas_installed INSTALLED CHILD SAs per connection and child.
# TYPE edgediag_ipsec_child_sas_installed gauge
edgediag_ipsec_child_sas_installed{connection="site-a",child="net"} 1
# HELP edgediag_ipsec_child_bytes_total Bytes through the CHILD SAs of a connection, per direction.
# TYPE edgediag_ipsec_child_bytes_total counter
edgediag_ipsec_child_bytes_total{connection="site-a",child="net",direction="in"} 0
edgediag_ipsec_child_bytes_total{connection="site-a",child="net",direction="out"} 4096
# HELP edgediag_ipsec_child_packets_total Packets through the CHILD SAs of a connection, per direction.
# TYPE edgediag_ipsec_child_packets_total counter
edgediag_ipsec_child_packets_total{connection="site-a",child="net",direction="in"} 0
edgediag_ipsec_child_packets_total{connection="site-a",child="net",direction="out"} 32
)";

TEST(Prometheus, GoldenTextfile) {
  EXPECT_EQ(RenderPrometheus(RouterReport(), Router()), kGoldenProm);
}

TEST(Prometheus, LabelValuesAreEscaped) {
  EXPECT_EQ(PrometheusEscape("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
  EXPECT_EQ(PrometheusEscape("plain"), "plain");
}

TEST(Prometheus, NeverHandshakenPeerHasNoAge) {
  Snapshot s = Router();
  s.wireguard[0].peers[0].last_handshake = 0;
  auto text = RenderPrometheus(RouterReport(), s);
  EXPECT_THAT(text, ::testing::Not(HasSubstr("edgediag_wg_handshake_age_seconds{")));
  EXPECT_THAT(text, HasSubstr("edgediag_wg_last_handshake_timestamp_seconds{interface=\"wg0\","));
}

TEST(Prometheus, NagiosCodes) {
  EXPECT_EQ(NagiosCode(Severity::kOk), 0);
  EXPECT_EQ(NagiosCode(Severity::kInfo), 0);
  EXPECT_EQ(NagiosCode(Severity::kWarning), 1);
  EXPECT_EQ(NagiosCode(Severity::kCritical), 2);
  EXPECT_EQ(NagiosCode(Severity::kUnknown), 3);
}

// promtool (Debian package prometheus, installed by scripts/setup) lints the
// exposition format; node_exporter would drop a file it rejects.
std::string Promtool(const std::string& text) {
  const char* kPromtool = "/usr/bin/promtool";
  if (access(kPromtool, X_OK) != 0) return "promtool missing: run scripts/setup all";
  std::string path = fs::temp_directory_path() / ("edgediag-metrics-" + std::to_string(getpid()) + ".prom");
  std::ofstream(path) << text;
  std::string cmd = std::string(kPromtool) + " check metrics < " + path + " 2>&1";
  std::string output;
  FILE* p = popen(cmd.c_str(), "r");
  char buf[512];
  while (p && fgets(buf, sizeof buf, p)) output += buf;
  int status = p ? pclose(p) : -1;
  fs::remove(path);
  return status == 0 ? "" : "promtool: " + output;
}

TEST(Prometheus, PromtoolAcceptsTheGolden) {
  EXPECT_EQ(Promtool(RenderPrometheus(RouterReport(), Router())), "");
}

TEST(Prometheus, PromtoolAcceptsABuiltReport) {
  Snapshot s = Router();
  std::vector<plugin::Family> all{plugin::Family::kDx, plugin::Family::kIpsec,
                                  plugin::Family::kWireguard, plugin::Family::kNet};
  Report r = plugin::BuildReport("check", all, s, nullptr);
  EXPECT_EQ(Promtool(RenderPrometheus(r, s)), "");
}

constexpr char kGoldenEmf[] =
    R"({"_aws":{"Timestamp":1795658400000,"CloudWatchMetrics":[{"Namespace":"edgediag","Dimensions":[["Host","Kind","Subject"]],"Metrics":[{"Name":"Verdict","Unit":"None"},{"Name":"Problems","Unit":"Count"},{"Name":"IkeSas","Unit":"Count"},{"Name":"BytesIn","Unit":"Bytes"},{"Name":"BytesOut","Unit":"Bytes"}]}]},"Host":"edge-test","Kind":"ipsec-connection","Subject":"site-a","Verdict":2.0,"Problems":2.0,"IkeSas":1.0,"BytesIn":0.0,"BytesOut":4096.0,"verdict":"critical","findings":["ipsec.traffic.one-way","ipsec.nat.no-encap"],"peer":"203.0.113.9"}
{"_aws":{"Timestamp":1795658400000,"CloudWatchMetrics":[{"Namespace":"edgediag","Dimensions":[["Host","Kind","Subject"]],"Metrics":[{"Name":"Verdict","Unit":"None"},{"Name":"Problems","Unit":"Count"},{"Name":"BgpEstablished","Unit":"None"}]}]},"Host":"edge-test","Kind":"dx-vif","Subject":"dxvif-test1","Verdict":0.0,"Problems":0.0,"BgpEstablished":1.0,"verdict":"ok","findings":["dx.ok","dx.bgp.state"],"interface":"eth1.101","peer":"169.254.10.1"}
{"_aws":{"Timestamp":1795658400000,"CloudWatchMetrics":[{"Namespace":"edgediag","Dimensions":[["Host","Kind","Subject"]],"Metrics":[{"Name":"Verdict","Unit":"None"},{"Name":"Problems","Unit":"Count"},{"Name":"HandshakeAgeSeconds","Unit":"Seconds"},{"Name":"RxBytes","Unit":"Bytes"},{"Name":"TxBytes","Unit":"Bytes"}]}]},"Host":"edge-test","Kind":"wg-peer","Subject":"wg0:xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=","Verdict":0.0,"Problems":0.0,"HandshakeAgeSeconds":42.0,"RxBytes":1000.0,"TxBytes":250000.0,"verdict":"ok","findings":["wg.ok"],"interface":"wg0","peer":"xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg="}
)";

TEST(Emf, GoldenLines) { EXPECT_EQ(RenderEmf(RouterReport(), Router()), kGoldenEmf); }

// The EMF specification: every metric named in CloudWatchMetrics and every
// dimension is a top-level member; metric values are numbers, dimensions strings.
TEST(Emf, EveryLineIsAValidEmfObject) {
  std::istringstream in(RenderEmf(RouterReport(), Router()));
  std::string line;
  int lines = 0;
  while (std::getline(in, line)) {
    ++lines;
    auto j = nlohmann::json::parse(line);
    const auto& cw = j.at("_aws").at("CloudWatchMetrics").at(0);
    EXPECT_EQ(cw.at("Namespace"), kEmfNamespace);
    EXPECT_TRUE(j.at("_aws").at("Timestamp").is_number_integer());
    for (const auto& set : cw.at("Dimensions"))
      for (const auto& d : set) EXPECT_TRUE(j.at(d.get<std::string>()).is_string()) << d;
    for (const auto& m : cw.at("Metrics"))
      EXPECT_TRUE(j.at(m.at("Name").get<std::string>()).is_number()) << m;
  }
  EXPECT_EQ(lines, 3);
}

}  // namespace
}  // namespace edgediag::opmode

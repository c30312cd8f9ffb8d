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
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "plugin/snapshot_json.h"

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
  s.vifs[0].connectionId = "dxcon-test1";
  s.bgp_neighbors[0].prefixesReceived = 12;
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
# HELP edgediag_subject_info Always 1: a subject's names, to join on kind, id and peer. vif_id and connection_id for a DX VIF described by a VIF file, tunnel for a VPN subject.
# TYPE edgediag_subject_info gauge
edgediag_subject_info{kind="ipsec-connection",id="site-a",peer="203.0.113.9",interface="",name="",vif_id="",connection_id="",tunnel="site-a"} 1
edgediag_subject_info{kind="dx-vif",id="dxvif-test1",peer="169.254.10.1",interface="eth1.101",name="",vif_id="dxvif-test1",connection_id="dxcon-test1",tunnel=""} 1
edgediag_subject_info{kind="wg-peer",id="wg0:xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=",peer="xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=",interface="wg0",name="branch \"7\"\\x",vif_id="",connection_id="",tunnel="wg0"} 1
# HELP edgediag_subject_cause 1 for a subject's most likely cause (its first finding); label check is its id, severity the subject's verdict.
# TYPE edgediag_subject_cause gauge
edgediag_subject_cause{kind="ipsec-connection",id="site-a",peer="203.0.113.9",check="ipsec.traffic.one-way",severity="critical"} 1
edgediag_subject_cause{kind="dx-vif",id="dxvif-test1",peer="169.254.10.1",check="dx.ok",severity="ok"} 1
edgediag_subject_cause{kind="wg-peer",id="wg0:xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=",peer="xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=",check="wg.ok",severity="ok"} 1
# HELP edgediag_bgp_state BGP FSM state: 1 Idle, 2 Connect, 3 Active, 4 OpenSent, 5 OpenConfirm, 6 Established, 0 unknown.
# TYPE edgediag_bgp_state gauge
edgediag_bgp_state{peer="169.254.10.1",vrf="default",remote_as="64512"} 6
# HELP edgediag_bgp_established 1 when the BGP session is Established.
# TYPE edgediag_bgp_established gauge
edgediag_bgp_established{peer="169.254.10.1",vrf="default",remote_as="64512"} 1
# HELP edgediag_bgp_connections_dropped_total Established BGP sessions that dropped, as FRR counts them.
# TYPE edgediag_bgp_connections_dropped_total counter
edgediag_bgp_connections_dropped_total{peer="169.254.10.1",vrf="default",remote_as="64512"} 0
# HELP edgediag_bgp_prefixes_received Prefixes received from the BGP peer.
# TYPE edgediag_bgp_prefixes_received gauge
edgediag_bgp_prefixes_received{peer="169.254.10.1",vrf="default",remote_as="64512"} 12
# HELP edgediag_bgp_prefixes_sent Prefixes advertised to the BGP peer.
# TYPE edgediag_bgp_prefixes_sent gauge
edgediag_bgp_prefixes_sent{peer="169.254.10.1",vrf="default",remote_as="64512"} 3
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
{"_aws":{"Timestamp":1795658400000,"CloudWatchMetrics":[{"Namespace":"edgediag","Dimensions":[["Host","Kind","Subject"]],"Metrics":[{"Name":"Verdict","Unit":"None"},{"Name":"Problems","Unit":"Count"},{"Name":"BgpEstablished","Unit":"None"}]},{"Namespace":"edgediag","Dimensions":[["VirtualInterfaceId"],["ConnectionId","VirtualInterfaceId"]],"Metrics":[{"Name":"BgpStatus","Unit":"None"},{"Name":"BgpPrefixesAccepted","Unit":"Count"},{"Name":"BgpPrefixesAdvertised","Unit":"Count"}]}]},"Host":"edge-test","Kind":"dx-vif","Subject":"dxvif-test1","VirtualInterfaceId":"dxvif-test1","ConnectionId":"dxcon-test1","Verdict":0.0,"Problems":0.0,"BgpEstablished":1.0,"BgpStatus":1.0,"BgpPrefixesAccepted":3.0,"BgpPrefixesAdvertised":12.0,"verdict":"ok","findings":["dx.ok","dx.bgp.state"],"interface":"eth1.101","peer":"169.254.10.1"}
{"_aws":{"Timestamp":1795658400000,"CloudWatchMetrics":[{"Namespace":"edgediag","Dimensions":[["Host","Kind","Subject"]],"Metrics":[{"Name":"Verdict","Unit":"None"},{"Name":"Problems","Unit":"Count"},{"Name":"HandshakeAgeSeconds","Unit":"Seconds"},{"Name":"RxBytes","Unit":"Bytes"},{"Name":"TxBytes","Unit":"Bytes"}]}]},"Host":"edge-test","Kind":"wg-peer","Subject":"wg0:xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=","Verdict":0.0,"Problems":0.0,"HandshakeAgeSeconds":42.0,"RxBytes":1000.0,"TxBytes":250000.0,"verdict":"ok","findings":["wg.ok"],"interface":"wg0","peer":"xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg="}
)";

TEST(Emf, GoldenLines) { EXPECT_EQ(RenderEmf(RouterReport(), Router()), kGoldenEmf); }

// The published EMF specification ("Specification: Embedded metric format",
// Amazon CloudWatch User Guide) and the CloudWatch limits it defers to
// (API_MetricDatum, API_Dimension): one JSON object per line; `_aws` holds
// only CloudWatchMetrics (a non-empty array of MetricDirectives) and
// Timestamp (unix milliseconds); a directive holds only Namespace,
// Dimensions and Metrics; each DimensionSet names at most 30 dimensions,
// each a root member holding a non-empty ASCII string of at most 1024
// characters; at most 100 MetricDefinitions per directive, each {Name,
// Unit?, StorageResolution?} naming a root member that holds a number, Unit
// one of CloudWatch's standard units. Returns what breaks it, "" when valid.
std::string EmfViolations(const std::string& line) {
  static const std::set<std::string> kUnits{
      "Seconds", "Microseconds", "Milliseconds", "Bytes", "Kilobytes", "Megabytes", "Gigabytes",
      "Terabytes", "Bits", "Kilobits", "Megabits", "Gigabits", "Terabits", "Percent", "Count",
      "Bytes/Second", "Kilobytes/Second", "Megabytes/Second", "Gigabytes/Second",
      "Terabytes/Second", "Bits/Second", "Kilobits/Second", "Megabits/Second", "Gigabits/Second",
      "Terabits/Second", "Count/Second", "None"};
  std::string bad;
  auto fail = [&](const std::string& what) { bad += what + "; "; };
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(line);
  } catch (const std::exception& e) {
    return std::string("not JSON: ") + e.what();
  }
  if (!j.is_object()) return "not an object";
  if (!j.contains("_aws") || !j["_aws"].is_object()) return "no _aws object";
  const auto& aws = j["_aws"];
  for (const auto& [k, v] : aws.items())
    if (k != "CloudWatchMetrics" && k != "Timestamp") fail("_aws has " + k);
  if (!aws.contains("Timestamp") || !aws["Timestamp"].is_number_integer())
    fail("Timestamp is not an integer");
  else if (aws["Timestamp"].get<std::int64_t>() < 1000000000000)
    fail("Timestamp is not in milliseconds");
  if (!aws.contains("CloudWatchMetrics") || !aws["CloudWatchMetrics"].is_array() ||
      aws["CloudWatchMetrics"].empty())
    return bad + "CloudWatchMetrics is not a non-empty array";
  for (const auto& d : aws["CloudWatchMetrics"]) {
    for (const auto& [k, v] : d.items())
      if (k != "Namespace" && k != "Dimensions" && k != "Metrics") fail("directive has " + k);
    if (!d.contains("Namespace") || !d["Namespace"].is_string() ||
        d["Namespace"].get<std::string>().empty() || d["Namespace"].get<std::string>().size() > 255 ||
        d["Namespace"].get<std::string>()[0] == ':')
      fail("bad Namespace");
    if (!d.contains("Dimensions") || !d["Dimensions"].is_array()) {
      fail("Dimensions is not an array");
    } else {
      for (const auto& set : d["Dimensions"]) {
        if (!set.is_array()) {
          fail("a DimensionSet is not an array");
          continue;
        }
        if (set.size() > 30) fail("more than 30 dimensions");
        for (const auto& name : set) {
          if (!name.is_string()) {
            fail("a dimension name is not a string");
            continue;
          }
          const auto n = name.get<std::string>();
          if (!j.contains(n) || !j[n].is_string()) {
            fail("dimension " + n + " is not a string member");
            continue;
          }
          const auto v = j[n].get<std::string>();
          if (v.empty() || v.size() > 1024 || v.find_first_not_of(' ') == std::string::npos)
            fail("dimension " + n + " has an empty or too long value");
          for (unsigned char c : v)
            if (c < 0x20 || c > 0x7e) fail("dimension " + n + " is not printable ASCII");
        }
      }
    }
    if (!d.contains("Metrics") || !d["Metrics"].is_array()) {
      fail("Metrics is not an array");
      continue;
    }
    if (d["Metrics"].size() > 100) fail("more than 100 metrics");
    std::set<std::string> names;
    for (const auto& m : d["Metrics"]) {
      for (const auto& [k, v] : m.items())
        if (k != "Name" && k != "Unit" && k != "StorageResolution") fail("metric has " + k);
      if (!m.contains("Name") || !m["Name"].is_string()) {
        fail("a metric without a Name");
        continue;
      }
      const auto n = m["Name"].get<std::string>();
      if (!names.insert(n).second) fail("metric " + n + " twice");
      if (m.contains("Unit") && (!m["Unit"].is_string() || !kUnits.count(m["Unit"])))
        fail("metric " + n + " has a unit CloudWatch does not know");
      if (!j.contains(n) || !j[n].is_number()) fail("metric " + n + " is not a number member");
    }
  }
  return bad;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

TEST(Emf, EveryLineHoldsToTheSpecification) {
  auto lines = Lines(RenderEmf(RouterReport(), Router()));
  ASSERT_EQ(lines.size(), 3u);
  for (const auto& line : lines) EXPECT_EQ(EmfViolations(line), "") << line;
}

// The checker itself: each rule of the specification it holds is broken once.
TEST(Emf, TheCheckerCatchesEachBreach) {
  const std::string ok =
      R"({"_aws":{"Timestamp":1795658400000,"CloudWatchMetrics":[{"Namespace":"edgediag",)"
      R"("Dimensions":[["VirtualInterfaceId"]],"Metrics":[{"Name":"BgpStatus","Unit":"None"}]}]},)"
      R"("VirtualInterfaceId":"dxvif-test1","BgpStatus":1})";
  EXPECT_EQ(EmfViolations(ok), "");
  auto breach = [&](const std::string& from, const std::string& to) {
    std::string s = ok;
    s.replace(s.find(from), from.size(), to);
    return EmfViolations(s);
  };
  EXPECT_THAT(breach("1795658400000", "1795658400"), HasSubstr("milliseconds"));
  EXPECT_THAT(breach("1795658400000", "\"now\""), HasSubstr("Timestamp"));
  EXPECT_THAT(breach(R"("dxvif-test1")", "7"), HasSubstr("not a string member"));
  EXPECT_THAT(breach(R"("dxvif-test1")", R"("")"), HasSubstr("empty"));
  EXPECT_THAT(breach(R"("BgpStatus":1)", R"("BgpStatus":"1")"), HasSubstr("not a number"));
  EXPECT_THAT(breach(R"("Unit":"None")", R"("Unit":"Boolean")"), HasSubstr("unit"));
  EXPECT_THAT(breach(R"("Namespace":"edgediag")", R"("Namespace":"")"), HasSubstr("Namespace"));
  EXPECT_THAT(breach(R"("Timestamp")", R"("LogGroup":1,"Timestamp")"), HasSubstr("_aws has"));
  std::string dims = "[";
  for (int i = 0; i < 31; ++i) dims += (i ? "," : "") + std::string(R"("VirtualInterfaceId")");
  EXPECT_THAT(breach(R"(["VirtualInterfaceId"])", dims + "]"), HasSubstr("30 dimensions"));
  std::string metrics;
  for (int i = 0; i < 101; ++i) metrics += (i ? "," : "") + std::string(R"({"Name":"BgpStatus"})");
  EXPECT_THAT(breach(R"({"Name":"BgpStatus","Unit":"None"})", metrics), HasSubstr("100 metrics"));
}

// AWS/DX publishes VirtualInterfaceBgpStatus (1 up, 0 down),
// VirtualInterfaceBgpPrefixesAccepted and ...Advertised per VirtualInterfaceId:
// the router's view of them, under the same dimensions.
TEST(Emf, DescribedVifHasTheAwsDxParityMetrics) {
  auto lines = Lines(RenderEmf(RouterReport(), Router()));
  auto vif = nlohmann::json::parse(lines.at(1));
  ASSERT_EQ(vif.at("Subject"), "dxvif-test1");
  const auto& parity = vif.at("_aws").at("CloudWatchMetrics").at(1);
  EXPECT_EQ(parity.at("Namespace"), "edgediag");
  EXPECT_EQ(parity.at("Dimensions").dump(),
            R"([["VirtualInterfaceId"],["ConnectionId","VirtualInterfaceId"]])");
  EXPECT_EQ(parity.at("Metrics").dump(),
            R"([{"Name":"BgpStatus","Unit":"None"},{"Name":"BgpPrefixesAccepted","Unit":"Count"},)"
            R"({"Name":"BgpPrefixesAdvertised","Unit":"Count"}])");
  EXPECT_EQ(vif.at("VirtualInterfaceId"), "dxvif-test1");
  EXPECT_EQ(vif.at("ConnectionId"), "dxcon-test1");
  EXPECT_EQ(vif.at("BgpStatus"), 1.0);
  EXPECT_EQ(vif.at("BgpPrefixesAccepted"), 3.0);     // the router sent 3
  EXPECT_EQ(vif.at("BgpPrefixesAdvertised"), 12.0);  // Amazon sent 12
}

TEST(Emf, SessionNotEstablishedIsDownWithNoPrefixes) {
  Snapshot s = Router();
  s.bgp_neighbors[0].bgpState = "Active";
  auto vif = nlohmann::json::parse(Lines(RenderEmf(RouterReport(), s)).at(1));
  EXPECT_EQ(vif.at("BgpStatus"), 0.0);
  EXPECT_EQ(vif.at("BgpPrefixesAccepted"), 0.0);
  EXPECT_EQ(vif.at("BgpPrefixesAdvertised"), 0.0);
  s.bgp_neighbors.clear();  // no neighbour configured at all: down too
  vif = nlohmann::json::parse(Lines(RenderEmf(RouterReport(), s)).at(1));
  EXPECT_EQ(vif.at("BgpStatus"), 0.0);
}

TEST(Emf, NoConnectionIdNoSecondDimensionSet) {
  Snapshot s = Router();
  s.vifs[0].connectionId.clear();
  auto vif = nlohmann::json::parse(Lines(RenderEmf(RouterReport(), s)).at(1));
  EXPECT_EQ(vif.at("_aws").at("CloudWatchMetrics").at(1).at("Dimensions").dump(),
            R"([["VirtualInterfaceId"]])");
  EXPECT_FALSE(vif.contains("ConnectionId"));
  EXPECT_EQ(EmfViolations(Lines(RenderEmf(RouterReport(), s)).at(1)), "");
}

// Every golden input (the rule tests' faulted snapshots), rendered: each line
// holds to the specification.
TEST(Emf, EveryGoldenInputHoldsToTheSpecification) {
  int files = 0, lines = 0;
  std::vector<plugin::Family> all{plugin::Family::kDx, plugin::Family::kIpsec,
                                  plugin::Family::kWireguard, plugin::Family::kNet};
  for (const auto& e : fs::directory_iterator(std::string(EDGEDIAG_TESTDATA) + "/golden/in")) {
    if (e.path().extension() != ".json") continue;
    auto snap = plugin::LoadSnapshot(e.path().string());
    ASSERT_TRUE(snap.ok()) << e.path();
    Report r = plugin::BuildReport("check", all, *snap, nullptr);
    for (const auto& line : Lines(RenderEmf(r, *snap))) {
      EXPECT_EQ(EmfViolations(line), "") << e.path().filename() << ": " << line;
      ++lines;
    }
    ++files;
  }
  EXPECT_GT(files, 50);
  EXPECT_GT(lines, files);
}

}  // namespace
}  // namespace edgediag::opmode

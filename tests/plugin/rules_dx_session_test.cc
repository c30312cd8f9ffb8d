// dx.bgp.notification, dx.bgp.timers, the zero-config causes (2/2 -> dx.asn.*,
// MD5 counters -> dx.md5.*) and dual-stack VIFs: one subject, each session
// judged and named on its own.
#include <gtest/gtest.h>

#include <algorithm>

#include <fmt/format.h>

#include "plugin/dx_rules.h"
#include "plugin/frr_json.h"
#include "plugin/report.h"
#include "tests/support/dx_fixture.h"
#include "tests/support/run_rule.h"

namespace edgediag::plugin {
namespace {

using testing::HealthyDx;
using testing::RunRule;

Report Diagnose(const Snapshot& s, const Snapshot* prev = nullptr) {
  Family dx[] = {Family::kDx};
  return BuildReport("dx", dx, s, prev);
}

// FRR's fields after a reset by NOTIFICATION (bgp_vty.c bgp_show_peer_reset).
void Notified(Snapshot& s, const char* hex, const char* reason, bool received,
              const char* state = "Idle") {
  BgpNeighbor& b = s.bgp_neighbors[0];
  b.bgpState = state;
  b.lastErrorCodeSubcode = hex;
  b.lastNotificationReason = reason;
  b.lastResetDueTo = received ? "BGP Notification received" : "BGP Notification send";
  b.lastResetTimerMsecs = 95000;
  (received ? b.notificationsRecv : b.notificationsSent) = 1;
  s.tcp_sockets[0].state = "SYN-SENT";
}

struct NotifyCase {
  const char* name;
  const char* hex;
  const char* reason;
  bool received;
  Severity severity;
  const char* message;
};

class Notification : public ::testing::TestWithParam<NotifyCase> {};

TEST_P(Notification, DecodedByCodeSubcodeAndDirection) {
  Snapshot s = HealthyDx();
  const auto& c = GetParam();
  Notified(s, c.hex, c.reason, c.received);
  Report r = Diagnose(s);
  ASSERT_EQ(r.subjects.size(), 1u);
  const Finding& f = r.subjects[0].findings.at(0);
  EXPECT_EQ(f.id, "dx.bgp.notification");
  EXPECT_EQ(f.severity, c.severity);
  EXPECT_EQ(f.message, c.message);
  std::string hex = c.hex;
  EXPECT_EQ(f.evidence.at(0).observed,
            fmt::format("{}/{} {}, {}, 95 s ago", std::stoi(hex.substr(0, 2), nullptr, 16),
                        std::stoi(hex.substr(2), nullptr, 16), c.reason,
                        c.received ? "received from the peer" : "sent by this router"));
}

INSTANTIATE_TEST_SUITE_P(
    Cases, Notification,
    ::testing::Values(
        NotifyCase{"AdminShutdownByAws", "0602", "Cease/Administrative Shutdown", true,
                   Severity::kCritical,
                   "BGP is Idle; the last NOTIFICATION (6/2, received) says AWS shut the session "
                   "down administratively (Cease 6/2): the VIF or its BGP peer is being deleted, "
                   "down, or under maintenance"},
        NotifyCase{"AdminShutdownHere", "0602", "Cease/Administrative Shutdown", false,
                   Severity::kCritical,
                   "BGP is Idle; the last NOTIFICATION (6/2, sent) says this router shut the "
                   "session down administratively (Cease 6/2): `neighbor 169.254.10.1 shutdown` "
                   "is configured"},
        NotifyCase{"AdminReset", "0604", "Cease/Administrative Reset", true, Severity::kCritical,
                   "BGP is Idle; the last NOTIFICATION (6/4, received) says AWS reset the "
                   "session administratively (Cease 6/4)"},
        NotifyCase{"ConnectionRejected", "0605", "Cease/Connection Rejected", true,
                   Severity::kCritical,
                   "BGP is Idle; the last NOTIFICATION (6/5, received) says AWS rejected the "
                   "connection (Cease 6/5): its side does not accept this peering yet (VIF or "
                   "BGP peer not available) or the connection came from an unexpected address"},
        NotifyCase{"HoldTimerExpired", "0400", "Hold Timer Expired/Unspecific", false,
                   Severity::kCritical,
                   "BGP is Idle; the last NOTIFICATION (4/0, sent) says the router's hold timer "
                   "expired: keepalives from AWS stopped arriving"},
        NotifyCase{"BadBgpIdentifier", "0203", "OPEN Message Error/Bad BGP Identifier", true,
                   Severity::kCritical,
                   "BGP is Idle; the last NOTIFICATION (2/3, received) says the BGP identifier "
                   "was refused (Bad BGP Identifier): a router-id of 0.0.0.0, or the same "
                   "router-id as the peer"},
        NotifyCase{"UnacceptableHoldTime", "0206", "OPEN Message Error/Unacceptable Hold Time",
                   true, Severity::kCritical,
                   "BGP is Idle; the last NOTIFICATION (2/6, received) says AWS refused the "
                   "router's hold time (Unacceptable Hold Time): AWS accepts neither 0 nor less "
                   "than 3 s"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(Notification, ACollisionIsHarmlessAndRanksAfterTheState) {
  Snapshot s = HealthyDx();
  Notified(s, "0607", "Cease/Connection collision resolution", false);
  auto f = RunRule(CheckBgpNotification, s, nullptr);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].severity, Severity::kInfo);
  EXPECT_EQ(Diagnose(s).subjects[0].findings.at(0).id, "dx.bgp.state");
}

TEST(Notification, AResetRanksAboveTheStateAndBelowRealCauses) {
  Snapshot s = HealthyDx();
  Notified(s, "0604", "Cease/Administrative Reset", true);
  s.bgp_neighbors[0].localAs = 65011;  // the real cause
  auto r = Diagnose(s);
  EXPECT_EQ(r.subjects[0].findings.at(0).id, "dx.asn.local-mismatch");
  EXPECT_EQ(r.subjects[0].findings.at(1).id, "dx.bgp.notification");
}

TEST(Notification, ZeroConfigPrefixLimitIsNamedHereOnlyWithoutTheVif) {
  Snapshot s = HealthyDx();
  Notified(s, "0601", "Cease/Maximum Number of Prefixes Reached", true);
  // With the VIF, dx.bgp.prefix-limit names it and carries the NOTIFICATION.
  EXPECT_TRUE(RunRule(CheckBgpNotification, s, nullptr).empty());
  EXPECT_EQ(Diagnose(s).subjects[0].findings.at(0).id, "dx.bgp.prefix-limit");
  // Without it, the NOTIFICATION itself names the limit.
  s.vifs.clear();
  const Finding f = Diagnose(s).subjects.at(0).findings.at(0);
  EXPECT_EQ(f.id, "dx.bgp.notification");
  EXPECT_EQ(f.message,
            "BGP is Idle; the last NOTIFICATION (6/1, received) says AWS closed the session: "
            "too many prefixes (Cease 6/1)");
}

TEST(Notification, EstablishedSessionsLastNotificationIsHistory) {
  Snapshot s = HealthyDx();
  Notified(s, "0602", "Cease/Administrative Shutdown", true, "Established");
  EXPECT_TRUE(RunRule(CheckBgpNotification, s, nullptr).empty());
}

TEST(Notification, RepeatedResetsAreFlappingWithTheNotificationAsEvidence) {
  Snapshot s = HealthyDx();
  Notified(s, "0400", "Hold Timer Expired/Unspecific", false, "Active");
  s.bgp_neighbors[0].connectionsDropped = 4;
  EXPECT_TRUE(RunRule(CheckBgpNotification, s, nullptr).empty());
  const Finding f = Diagnose(s).subjects[0].findings.at(0);
  EXPECT_EQ(f.id, "dx.bgp.flapping");
}

TEST(Notification, BadPeerAsWithTheVifIsTheAsnCheck) {
  Snapshot s = HealthyDx();
  s.bgp_neighbors[0].localAs = 65011;
  Notified(s, "0202", "OPEN Message Error/Bad Peer AS", true);
  EXPECT_TRUE(RunRule(CheckBgpNotification, s, nullptr).empty());
  EXPECT_EQ(Diagnose(s).subjects[0].findings.at(0).id, "dx.asn.local-mismatch");
}

TEST(Notification, StaleVifFileBadPeerAsStillNamed) {
  // The VIF says the ASNs match, yet AWS refuses the AS: the file is stale.
  Snapshot s = HealthyDx();
  Notified(s, "0202", "OPEN Message Error/Bad Peer AS", true);
  auto f = RunRule(CheckBgpNotification, s, nullptr);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].weight, 84);
}

TEST(ZeroConfig, BadPeerAsReceivedIsTheLocalAsn) {
  Snapshot s = HealthyDx();
  s.vifs.clear();
  Notified(s, "0202", "OPEN Message Error/Bad Peer AS", true);
  Report r = Diagnose(s);
  ASSERT_EQ(r.subjects.size(), 1u);
  const Finding& f = r.subjects[0].findings.at(0);
  EXPECT_EQ(f.id, "dx.asn.local-mismatch");
  EXPECT_EQ(f.message,
            "AWS refused the router's AS 65010 with NOTIFICATION 2/2 Bad Peer AS: the VIF was "
            "created for another customer ASN (no VIF description: AWS's value is unknown)");
  EXPECT_EQ(f.evidence.at(1).observed,
            "2/2 OPEN Message Error/Bad Peer AS, received from the peer, 95 s ago");
}

TEST(ZeroConfig, BadPeerAsSentIsTheRemoteAs) {
  Snapshot s = HealthyDx();
  s.vifs.clear();
  Notified(s, "0202", "OPEN Message Error/Bad Peer AS", false);
  EXPECT_EQ(Diagnose(s).subjects[0].findings.at(0).id, "dx.asn.remote-mismatch");
}

TEST(ZeroConfig, Md5CountersRisingOnAKeyedSessionInConnectAreTheKey) {
  Snapshot before = HealthyDx();
  before.vifs.clear();
  before.counters.tcp_ext = {{"TCPMD5Failure", 10}, {"TCPMD5NotFound", 0}, {"TCPMD5Unexpected", 3}};
  Snapshot s = before;
  s.bgp_neighbors[0].bgpState = "Connect";
  s.tcp_sockets[0].state = "SYN-SENT";
  s.counters.tcp_ext["TCPMD5Failure"] = 14;
  Report r = Diagnose(s, &before);
  const Finding& f = r.subjects.at(0).findings.at(0);
  EXPECT_EQ(f.id, "dx.md5.mismatch");
  EXPECT_EQ(f.message,
            "the kernel's TCP-MD5 counters rise while the keyed session to 169.254.10.1 sits in "
            "Connect: the router's key and AWS's differ (AWS's key was not available to compare: "
            "no VIF description)");
  EXPECT_EQ(f.evidence.at(0).observed, "TCPMD5Failure +4");
  // Without a second point in time there is no rise to see.
  EXPECT_NE(Diagnose(s).subjects.at(0).findings.at(0).id, "dx.md5.mismatch");
}

TEST(ZeroConfig, SignedSegmentsToAnUnkeyedRouterAreTheMissingKey) {
  Snapshot before = HealthyDx();
  before.vifs.clear();
  before.bgp_neighbors[0].passwordConfigured = false;
  before.tcp_sockets[0].md5_keys.clear();
  before.counters.tcp_ext = {{"TCPMD5Unexpected", 3}};
  Snapshot s = before;
  s.bgp_neighbors[0].bgpState = "Active";
  s.counters.tcp_ext["TCPMD5Unexpected"] = 9;
  EXPECT_EQ(Diagnose(s, &before).subjects.at(0).findings.at(0).id, "dx.md5.missing");
}

TEST(ZeroConfig, AnMtuNoVifOffersIsAWarningSayingWhatWasAssumed) {
  Snapshot s = HealthyDx();
  s.vifs.clear();
  testing::Iface(s, "eth1").mtu = 9000;
  testing::Iface(s, "eth1.101").mtu = 9000;
  const Finding f = Diagnose(s).subjects.at(0).findings.at(0);
  EXPECT_EQ(f.id, "dx.mtu.mismatch");
  EXPECT_EQ(f.severity, Severity::kWarning);
  EXPECT_EQ(f.message,
            "eth1.101 has MTU 9000, which no VIF offers (AWS: 1500, 8500 or 9001; the VIF's own "
            "MTU is unknown without its description)");
  testing::Iface(s, "eth1").mtu = 9001;
  testing::Iface(s, "eth1.101").mtu = 9001;
  EXPECT_EQ(Diagnose(s).subjects.at(0).findings.at(0).id, "dx.ok");
}

TEST(Timers, HoldTimeZeroOnADownSessionIsCritical) {
  Snapshot s = HealthyDx();
  s.bgp_neighbors[0].bgpState = "Active";
  s.bgp_neighbors[0].bgpTimerConfiguredHoldTimeMsecs = 0;
  s.bgp_neighbors[0].bgpTimerConfiguredKeepAliveIntervalMsecs = 0;
  auto f = RunRule(CheckBgpTimers, s, nullptr);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].severity, Severity::kCritical);
  EXPECT_EQ(f[0].message, "the session uses a hold time AWS does not accept (0, or under 3 s)");
  EXPECT_EQ(f[0].evidence[0].observed, "0 s / -");
}

TEST(Timers, NegotiatedHoldUnderThreeSecondsOnAnUpSessionIsAWarning) {
  Snapshot s = HealthyDx();
  s.bgp_neighbors[0].bgpTimerConfiguredHoldTimeMsecs = 90000;
  s.bgp_neighbors[0].bgpTimerConfiguredKeepAliveIntervalMsecs = 30000;
  s.bgp_neighbors[0].bgpTimerHoldTimeMsecs = 2000;
  s.bgp_neighbors[0].bgpTimerKeepAliveIntervalMsecs = 666;
  auto f = RunRule(CheckBgpTimers, s, nullptr);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].severity, Severity::kWarning);
  EXPECT_EQ(f[0].evidence[0].observed, "90 s / 2 s");
  EXPECT_EQ(f[0].evidence[1].observed, "30 s / 0.666 s");
}

TEST(Timers, AwsDefaultsAreFine) {
  Snapshot s = HealthyDx();
  s.bgp_neighbors[0].bgpTimerConfiguredHoldTimeMsecs = 90000;
  s.bgp_neighbors[0].bgpTimerHoldTimeMsecs = 90000;
  s.bgp_neighbors[0].bfdDetectMultiplier = 3;
  s.bgp_neighbors[0].bfdRxMinInterval = 300;
  s.bgp_neighbors[0].bfdTxMinInterval = 300;
  s.bgp_neighbors[0].localGrMode = "Helper*";
  EXPECT_TRUE(RunRule(CheckBgpTimers, s, nullptr).empty());
}

TEST(Timers, FastBfdAndGracefulRestartWithBfd) {
  Snapshot s = HealthyDx();
  s.bgp_neighbors[0].bfdDetectMultiplier = 3;
  s.bgp_neighbors[0].bfdRxMinInterval = 100;
  s.bgp_neighbors[0].bfdTxMinInterval = 100;
  s.bgp_neighbors[0].bfdStatus = "Up";
  s.bgp_neighbors[0].localGrMode = "Restart*";
  auto f = RunRule(CheckBgpTimers, s, nullptr);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].severity, Severity::kWarning);
  EXPECT_EQ(f[0].message,
            "the session uses BFD intervals below AWS's minimum of 300 ms x 3; and graceful "
            "restart together with BFD, which AWS advises against");
  // A healthy session with only this to say stays a warning, not a cause.
  EXPECT_EQ(Diagnose(s).subjects[0].verdict, Severity::kWarning);
}

// FRR's own field names (bgp_vty.c: bgp_show_peer, bgp_show_peer_reset,
// bgp_bfd_show_info, bgp_show_neighbor_graceful_restart).
TEST(FrrFields, NotificationTimersBfdAndGracefulRestart) {
  auto r = ParseFrrNeighbors(R"({"vrf-dx": {"vrfId": 5, "vrfName": "vrf-dx",
    "169.254.0.1": {"remoteAs": 64512, "localAs": 65000, "bgpState": "Idle",
      "bgpTimerConfiguredHoldTimeMsecs": 0, "bgpTimerConfiguredKeepAliveIntervalMsecs": 0,
      "bgpTimerHoldTimeMsecs": 0, "bgpTimerKeepAliveIntervalMsecs": 0,
      "gracefulRestartInfo": {"localGrMode": "Restart*", "remoteGrMode": "Helper"},
      "peerBfdInfo": {"type": "single hop", "detectMultiplier": 3, "rxMinInterval": 100,
                      "txMinInterval": 100, "status": "Down"},
      "connectionsEstablished": 1, "connectionsDropped": 1, "lastResetTimerMsecs": 42000,
      "lastErrorCodeSubcode": "0602",
      "lastNotificationReason": "Cease/Administrative Shutdown",
      "lastNotificationHardReset": false, "lastShutdownDescription": "maintenance",
      "lastResetDueTo": "BGP Notification received", "lastResetCode": 13}}})");
  ASSERT_TRUE(r.ok()) << r.error().what;
  ASSERT_EQ(r->size(), 1u);
  const BgpNeighbor& b = (*r)[0];
  EXPECT_EQ(b.vrf, "vrf-dx");
  EXPECT_EQ(b.lastResetTimerMsecs, 42000u);
  EXPECT_EQ(b.lastShutdownDescription, "maintenance");
  EXPECT_EQ(b.bgpTimerConfiguredHoldTimeMsecs, 0u);
  EXPECT_EQ(b.bgpTimerKeepAliveIntervalMsecs, 0u);
  EXPECT_EQ(b.bfdRxMinInterval, 100u);
  EXPECT_EQ(b.bfdDetectMultiplier, 3u);
  EXPECT_EQ(b.bfdStatus, "Down");
  EXPECT_EQ(b.localGrMode, "Restart*");
  auto n = LastNotification(b);
  ASSERT_TRUE(n.has_value());
  EXPECT_EQ(n->code, 6);
  EXPECT_EQ(n->subcode, 2);
  EXPECT_EQ(n->direction, BgpNotification::kReceived);
  EXPECT_EQ(NotificationEvidence(b, *n).observed,
            "6/2 Cease/Administrative Shutdown \"maintenance\", received from the peer, 42 s ago");
}

TEST(FrrFields, NoNotificationWithoutItsCode) {
  BgpNeighbor b;
  b.lastResetDueTo = "Waiting for peer OPEN";
  EXPECT_FALSE(LastNotification(b).has_value());
  b.lastErrorCodeSubcode = "zz01";
  EXPECT_FALSE(LastNotification(b).has_value());
}

// Dual stack: one subject, two sessions, each named, the verdict the worst.
Snapshot DualStack() {
  Snapshot s = HealthyDx();
  s.vifs[0].bgpPeers.push_back({.asn = 65010, .addressFamily = "ipv4",
                                .amazonAddress = "169.254.10.1/30",
                                .customerAddress = "169.254.10.2/30"});
  s.vifs[0].bgpPeers.push_back({.asn = 65010, .addressFamily = "ipv6",
                                .amazonAddress = "2001:db8::1/125",
                                .customerAddress = "2001:db8::2/125"});
  s.addresses.push_back({.ifname = "eth1.101", .ifindex = 7, .family = 6, .address = "2001:db8::2",
                         .prefixlen = 125});
  s.neighbours.push_back({.ifname = "eth1.101", .ifindex = 7, .family = 6, .address = "2001:db8::1",
                          .lladdr = "52:54:00:aa:bb:cc", .state = "REACHABLE"});
  TcpSocket t = s.tcp_sockets[0];
  t.local = "2001:db8::2";
  t.remote = "2001:db8::1";
  t.md5_keys[0].address = "2001:db8::1";
  t.md5_keys[0].prefixlen = 128;
  s.tcp_sockets.push_back(t);
  BgpNeighbor b = s.bgp_neighbors[0];
  b.address = "2001:db8::1";
  b.hostLocal = "2001:db8::2";
  b.hostForeign = "2001:db8::1";
  s.bgp_neighbors.push_back(b);
  return s;
}

TEST(DualStack, BothUpIsOkWithEachSessionInTheEvidence) {
  Snapshot s = DualStack();
  Report r = Diagnose(s);
  ASSERT_EQ(r.subjects.size(), 1u);
  const Finding& f = r.subjects[0].findings.at(0);
  EXPECT_EQ(f.id, "dx.ok");
  EXPECT_EQ(f.message, "BGP is Established on all 2 sessions and the router matches the VIF");
  bool v6 = false;
  for (const auto& e : f.evidence) v6 |= e.what == "BGP state, IPv6 session 2001:db8::1";
  EXPECT_TRUE(v6);
}

TEST(DualStack, OneSessionDownIsNamedAndTheVerdictIsTheWorst) {
  Snapshot s = DualStack();
  Notified(s, "0602", "Cease/Administrative Shutdown", false);  // the IPv4 neighbour
  Report r = Diagnose(s);
  ASSERT_EQ(r.subjects.size(), 1u);
  EXPECT_EQ(r.subjects[0].verdict, Severity::kCritical);
  const Finding& f = r.subjects[0].findings.at(0);
  EXPECT_EQ(f.id, "dx.bgp.notification");
  EXPECT_EQ(f.message.rfind("IPv4 session 169.254.10.1: BGP is Idle", 0), 0u) << f.message;
  // The IPv6 session is up: nothing wrong is said of it.
  for (const auto& g : r.subjects[0].findings) {
    if (g.severity < Severity::kWarning) continue;
    EXPECT_EQ(g.message.find("IPv6 session"), std::string::npos) << g.id << ": " << g.message;
  }
}

}  // namespace
}  // namespace edgediag::plugin

namespace edgediag::plugin {
namespace {

// Two VIFs with the same link-local pair, each in its own VRF (VyOS puts
// DX sub-interfaces in VRFs): each VIF is matched with FRR's neighbour in
// its interface's VRF, and with that VRF's table.
Snapshot TwoVrfs() {
  Snapshot s = HealthyDx();
  s.interfaces.push_back({.name = "blue", .ifindex = 20, .kind = "vrf", .mtu = 65575,
                          .admin_up = true, .carrier = true, .operstate = "UP"});
  s.interfaces.push_back({.name = "red", .ifindex = 21, .kind = "vrf", .mtu = 65575,
                          .admin_up = true, .carrier = true, .operstate = "UP"});
  Interface& v101 = testing::Iface(s, "eth1.101");
  v101.master = 20;
  Interface v102 = v101;
  v102.name = "eth1.102";
  v102.ifindex = 8;
  v102.vlan_id = 102;
  v102.master = 21;
  s.interfaces.push_back(v102);
  s.addresses.push_back({.ifname = "eth1.102", .ifindex = 8, .family = 4,
                         .address = "169.254.10.2", .prefixlen = 30});
  s.neighbours.push_back({.ifname = "eth1.102", .ifindex = 8, .family = 4,
                          .address = "169.254.10.1", .lladdr = "52:54:00:aa:bb:dd",
                          .state = "FAILED"});
  s.routes.push_back({.family = 4, .dst = "169.254.10.0/30", .dev = "eth1.101", .ifindex = 7,
                      .table = 100, .protocol = "kernel"});
  s.routes.push_back({.family = 4, .dst = "169.254.10.0/30", .dev = "eth1.102", .ifindex = 8,
                      .table = 200, .protocol = "kernel"});
  s.bgp_neighbors[0].vrf = "blue";
  BgpNeighbor red = s.bgp_neighbors[0];
  red.vrf = "red";
  red.bgpState = "Active";
  s.bgp_neighbors.insert(s.bgp_neighbors.begin(), red);  // listed first on purpose
  Vif v = s.vifs[0];
  v.virtualInterfaceId = "dxvif-test2";
  v.vlan = 102;
  s.vifs.push_back(v);
  return s;
}

TEST(Vrf, EachVifMeetsTheNeighbourAndTableOfItsOwnVrf) {
  Snapshot s = TwoVrfs();
  Facts facts(s);
  ASSERT_EQ(facts.dx().size(), 2u);
  const DxPeering& blue = facts.dx()[0];
  const DxPeering& red = facts.dx()[1];
  EXPECT_EQ(blue.vrf, "blue");
  EXPECT_EQ(blue.table, 100u);
  ASSERT_NE(blue.bgp, nullptr);
  EXPECT_EQ(blue.bgp->vrf, "blue");
  EXPECT_EQ(red.vrf, "red");
  EXPECT_EQ(red.table, 200u);
  ASSERT_NE(red.bgp, nullptr);
  EXPECT_EQ(red.bgp->vrf, "red");
  EXPECT_EQ(red.neighbour->ifname, "eth1.102");
}

TEST(Vrf, HealthyVifInAVrfIsOkAndTheFaultInTheOtherIsNamed) {
  Snapshot s = TwoVrfs();
  Report r = Diagnose(s);
  ASSERT_EQ(r.subjects.size(), 2u);
  // Worst first: the red VRF's VIF, whose ARP fails.
  EXPECT_EQ(r.subjects[0].subject.id, "dxvif-test2");
  EXPECT_EQ(r.subjects[0].findings.at(0).id, "dx.arp.unresolved");
  EXPECT_EQ(r.subjects[1].subject.id, "dxvif-test1");
  EXPECT_EQ(r.subjects[1].findings.at(0).id, "dx.ok");
}

TEST(Vrf, ZeroConfigKeepsTheSameAddressInTwoVrfsApart) {
  Snapshot s = TwoVrfs();
  s.vifs.clear();
  Report r = Diagnose(s);
  ASSERT_EQ(r.subjects.size(), 2u);
  std::vector<std::string> ids{r.subjects[0].subject.id, r.subjects[1].subject.id};
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(ids, (std::vector<std::string>{"blue:169.254.10.1", "red:169.254.10.1"}));
}

}  // namespace
}  // namespace edgediag::plugin

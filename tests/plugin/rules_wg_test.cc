// Table-driven tests of the wg.* rules and net.rp-filter.strict: each case
// breaks the healthy WireGuard fixture in one way (with a previous sample
// where the rule needs counter deltas) and names the finding that must come
// first for one subject.
#include <gtest/gtest.h>

#include <chrono>
#include <fmt/format.h>

#include <functional>
#include <random>
#include <set>

#include "plugin/report.h"
#include "plugin/ipsec_rules.h"
#include "plugin/vpn_common.h"
#include "plugin/wg_rules.h"
#include "tests/support/vpn_fixture.h"
#include "tests/support/golden.h"
#include "tests/support/run_rule.h"

namespace edgediag::plugin {
namespace {

using testing::RunRule;

using testing::HealthyWireguard;
using testing::kBranchKey;
using testing::kHqKey;
using testing::kVpnNowMs;
using testing::Peer;
using testing::PreviousWireguard;

constexpr std::int64_t kNow = kVpnNowMs / 1000;
const std::string kHq = std::string("wg0:") + kHqKey;
const std::string kBranch = std::string("wg0:") + kBranchKey;

struct Case {
  const char* name;
  std::function<void(Snapshot& now, Snapshot& prev)> fault;
  bool with_previous;
  std::string subject;
  const char* first_id;
  Severity severity;
  const char* message;  ///< the first finding's exact message
};

Report Diagnose(const Snapshot& s, const Snapshot* prev) {
  Family vpn[] = {Family::kWireguard, Family::kNet};
  return BuildReport("vpn", vpn, s, prev);
}

const SubjectReport* FindSubject(const Report& r, const std::string& id) {
  for (const auto& s : r.subjects)
    if (s.subject.id == id) return &s;
  return nullptr;
}

Interface& Wg0(Snapshot& s) {
  for (auto& i : s.interfaces)
    if (i.name == "wg0") return i;
  throw std::runtime_error("no wg0");
}

Route& RouteTo(Snapshot& s, const char* dst) {
  for (auto& r : s.routes)
    if (r.dst == dst) return r;
  throw std::runtime_error(std::string("no route ") + dst);
}

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

class WireguardRulesTest : public ::testing::TestWithParam<Case> {};

TEST_P(WireguardRulesTest, FirstFindingNamesTheInjectedCause) {
  const Case& c = GetParam();
  Snapshot now = HealthyWireguard(), prev = PreviousWireguard();
  c.fault(now, prev);
  testing::RecordGoldenInput(std::string("wg-") + c.name, now, c.with_previous ? &prev : nullptr);
  Report r = Diagnose(now, c.with_previous ? &prev : nullptr);
  const SubjectReport* s = FindSubject(r, c.subject);
  ASSERT_NE(s, nullptr) << "no subject " << c.subject;
  ASSERT_FALSE(s->findings.empty());
  // An ok verdict leads with its "*.ok" finding; an info note comes next.
  std::size_t first = 0;
  if (c.severity == Severity::kInfo && s->findings[0].severity == Severity::kOk) first = 1;
  ASSERT_GT(s->findings.size(), first);
  const Finding& f = s->findings[first];
  EXPECT_EQ(f.id, c.first_id);
  EXPECT_EQ(f.severity, c.severity);
  EXPECT_EQ(f.message, c.message);
  if (f.severity != Severity::kOk) {
    EXPECT_FALSE(f.remedy.empty());
  }
}

void Nothing(Snapshot&, Snapshot&) {}

INSTANTIATE_TEST_SUITE_P(
    Cases, WireguardRulesTest,
    ::testing::Values(
        Case{"HealthyInterface", Nothing, true, "wg0", "wg.ok", Severity::kOk,
             "wg0 is up with 2 peers; nothing points at a fault"},
        Case{"HealthyPeer", Nothing, true, kHq, "wg.ok", Severity::kOk,
             "handshake 30 s ago; nothing points at a fault"},
        Case{"InterfaceDown",
             [](Snapshot& s, Snapshot&) {
               Wg0(s).admin_up = false;
               Wg0(s).operstate = "DOWN";
               std::erase_if(s.routes, [](const Route& r) { return r.dev == "wg0"; });
             },
             false, "wg0", "wg.interface.down", Severity::kCritical,
             "wg0 is administratively down: none of its 2 peers can pass traffic"},
        Case{"InterfaceDownSeenFromAPeer",
             [](Snapshot& s, Snapshot&) {
               Wg0(s).admin_up = false;
               std::erase_if(s.routes, [](const Route& r) { return r.dev == "wg0"; });
             },
             false, kHq, "wg.interface.down", Severity::kCritical, "wg0 is administratively down"},
        Case{"HandshakeNever",
             [](Snapshot& s, Snapshot&) {
               WgPeer& p = Peer(s, "branch");
               p.last_handshake = 0, p.tx_bytes = 1480, p.rx_bytes = 0;
             },
             false, kBranch, "wg.handshake.never", Severity::kCritical,
             "no handshake has ever completed with peer branch at 198.51.100.20:51820 although "
             "1.4 KiB were sent: the peer does not answer"},
        Case{"HandshakeStaleWithKeepalive",
             [](Snapshot& s, Snapshot&) { Peer(s, "hq").last_handshake = kNow - 400; }, false, kHq,
             "wg.handshake.stale", Severity::kCritical,
             "last handshake with peer hq was 6 min ago, past the 180 s a session lives, while "
             "persistent keepalive (25 s) keeps sending: no working session"},
        Case{"HandshakeStaleWhileSending",
             [](Snapshot& s, Snapshot& prev) {
               Peer(s, "branch").last_handshake = kNow - 900;
               Peer(prev, "branch").last_handshake = kNow - 900;
               Peer(prev, "branch").tx_bytes = Peer(s, "branch").tx_bytes - 5000;
             },
             true, kBranch, "wg.handshake.stale", Severity::kCritical,
             "last handshake with peer branch was 15 min ago, past the 180 s a session lives, "
             "while 4.9 KiB were sent in the last 30 s: no working session"},
        Case{"IdlePeerWithoutKeepaliveIsNotAnAlarm",
             [](Snapshot& s, Snapshot&) { Peer(s, "branch").last_handshake = kNow - 7200; }, false,
             kBranch, "wg.peer.idle", Severity::kInfo,
             "idle: last handshake with peer branch 2 h ago, nothing sent to it since: offline, "
             "normal for a road warrior"},
        Case{"IdlePeerWithFlatCountersIsNotAnAlarm",
             [](Snapshot& s, Snapshot& prev) {
               Peer(s, "branch").last_handshake = kNow - 7200;
               Peer(prev, "branch") = Peer(s, "branch");
             },
             true, kBranch, "wg.peer.idle", Severity::kInfo,
             "idle: last handshake with peer branch 2 h ago, nothing sent to it since: offline, "
             "normal for a road warrior"},
        Case{"IdlePeerWithAConfiguredEndpointIsOk",
             [](Snapshot& s, Snapshot&) {
               Peer(s, "branch").last_handshake = kNow - 7200;
               Peer(s, "branch").endpoint_configured = true;
             },
             false, kBranch, "wg.ok", Severity::kOk,
             "idle: last handshake 2 h ago, normal without keepalive when nothing is sent"},
        Case{"RoadWarriorNeverConnectedIsIdle",
             [](Snapshot& s, Snapshot&) {
               WgPeer& p = Peer(s, "branch");
               p.endpoint.clear();
               p.last_handshake = 0, p.rx_bytes = 0, p.tx_bytes = 0;
             },
             false, kBranch, "wg.peer.idle", Severity::kInfo,
             "idle: peer branch has no endpoint and never a handshake: it has not connected, "
             "normal for a road warrior"},
        Case{"ExpectedUpPeerStale",
             [](Snapshot& s, Snapshot&) {
               Peer(s, "branch").last_handshake = kNow - 7200;
               Peer(s, "branch").expect_up = true;
             },
             false, kBranch, "wg.handshake.stale", Severity::kCritical,
             "last handshake with peer branch was 2 h ago, past the 180 s a session lives, while "
             "it is marked expected up (--expect-up): no working session"},
        Case{"ExpectedUpPeerNeverHandshaked",
             [](Snapshot& s, Snapshot&) {
               WgPeer& p = Peer(s, "branch");
               p.last_handshake = 0, p.rx_bytes = 0, p.tx_bytes = 0;
               p.expect_up = true;
             },
             false, kBranch, "wg.handshake.never", Severity::kCritical,
             "peer branch at 198.51.100.20:51820 is marked expected up (--expect-up) but no "
             "handshake has ever completed, and nothing was sent to it: nothing routes traffic "
             "into the tunnel, or the interface was just created"},
        Case{"LongKeepaliveIsNotStaleBeforeItsInterval",
             [](Snapshot& s, Snapshot&) {
               Peer(s, "hq").persistent_keepalive = 120;
               Peer(s, "hq").last_handshake = kNow - 200;  // under 120 + 120 + 5
             },
             false, kHq, "wg.ok", Severity::kOk,
             "handshake 3 min ago; the next keepalive (every 120 s) renews it"},
        Case{"LongKeepaliveStalePastItsInterval",
             [](Snapshot& s, Snapshot&) {
               Peer(s, "hq").persistent_keepalive = 120;
               Peer(s, "hq").last_handshake = kNow - 300;
             },
             false, kHq, "wg.handshake.stale", Severity::kCritical,
             "last handshake with peer hq was 5 min ago, past the 245 s a session lives, while "
             "persistent keepalive (120 s) keeps sending: no working session"},
        Case{"ProbeNoReplyOperatorTarget",
             [](Snapshot& s, Snapshot&) {
               s.probes.push_back({.target = "192.168.50.1", .dev = "wg0", .size = 84,
                                   .detail = "3 sent, 0 received", .tunnel = kHq,
                                   .source = "10.99.0.1", .origin = "operator", .sent = 3});
             },
             false, kHq, "wg.probe.no-reply", Severity::kCritical,
             "handshake with peer hq 30 s ago, yet 3 echo requests from 10.99.0.1 to "
             "192.168.50.1 through wg0 got no reply: the tunnel does not carry traffic"},
        Case{"ProbeNoReplyDerivedTarget",
             [](Snapshot& s, Snapshot&) {
               s.probes.push_back({.target = "10.99.0.2", .dev = "wg0", .size = 84,
                                   .detail = "3 sent, 0 received", .tunnel = kHq,
                                   .source = "10.99.0.1", .origin = "derived", .sent = 3});
             },
             false, kHq, "wg.probe.no-reply", Severity::kWarning,
             "handshake with peer hq 30 s ago, yet 3 echo requests from 10.99.0.1 to 10.99.0.2 "
             "through wg0 got no reply: the tunnel does not carry traffic (or the derived target "
             "does not answer ICMP)"},
        Case{"ProbeAnsweredIsOk",
             [](Snapshot& s, Snapshot&) {
               s.probes.push_back({.target = "10.99.0.2", .dev = "wg0", .size = 84, .ok = true,
                                   .detail = "3 sent, 3 received", .tunnel = kHq,
                                   .source = "10.99.0.1", .origin = "derived", .sent = 3,
                                   .received = 3});
             },
             false, kHq, "wg.ok", Severity::kOk, "handshake 30 s ago; nothing points at a fault"},
        Case{"OneWayNothingComesBack",
             [](Snapshot& s, Snapshot& prev) {
               Peer(s, "hq").tx_bytes = Peer(prev, "hq").tx_bytes + 100000;
               Peer(s, "hq").rx_bytes = Peer(prev, "hq").rx_bytes;
             },
             true, kHq, "wg.traffic.one-way", Severity::kCritical,
             "sent 97.7 KiB to peer hq in 30 s and received nothing back, not even a keepalive: "
             "our packets do not reach it"},
        Case{"OneWayOnlyKeepalivesComeBack",
             [](Snapshot& s, Snapshot& prev) {
               Peer(s, "hq").tx_bytes = Peer(prev, "hq").tx_bytes + 100000;
               Peer(s, "hq").rx_bytes = Peer(prev, "hq").rx_bytes + 96;
             },
             true, kHq, "wg.traffic.one-way", Severity::kWarning,
             "sent 97.7 KiB to peer hq in 30 s and received only 96 B of keepalives/handshakes: "
             "it sends no data back"},
        Case{"OneWayRepliesDoNotGoBack",
             [](Snapshot& s, Snapshot& prev) {
               Peer(s, "hq").rx_bytes = Peer(prev, "hq").rx_bytes + 100000;
               Peer(s, "hq").tx_bytes = Peer(prev, "hq").tx_bytes + 32;
             },
             true, kHq, "wg.traffic.one-way", Severity::kWarning,
             "received 97.7 KiB from peer hq in 30 s and sent back only 32 B: replies do not go "
             "back into wg0"},
        Case{"CountersResetIsNotOneWay",
             [](Snapshot& s, Snapshot&) {
               Peer(s, "hq").tx_bytes = 5000;
               Peer(s, "hq").rx_bytes = 4000;
             },
             true, kHq, "wg.ok", Severity::kOk, "handshake 30 s ago; nothing points at a fault"},
        Case{"EndpointMissing",
             [](Snapshot& s, Snapshot&) {
               WgPeer& p = Peer(s, "branch");
               p.endpoint.clear();
               p.last_handshake = 0, p.rx_bytes = 0, p.tx_bytes = 0;
               p.expect_up = true;
             },
             false, kBranch, "wg.endpoint.missing", Severity::kWarning,
             "peer branch has no endpoint and has never completed a handshake: only the peer can "
             "start the tunnel, and it has not"},
        Case{"BehindNatWithoutKeepalive",
             [](Snapshot& s, Snapshot&) {
               s.addresses[0].address = "192.168.1.10";
               RouteTo(s, "0.0.0.0/0").gateway = "192.168.1.1";
             },
             false, kBranch, "wg.keepalive.nat", Severity::kWarning,
             "this router reaches peer branch (198.51.100.20:51820) from the private address "
             "192.168.1.10 on eth0, through NAT, without persistent keepalive: when idle the NAT "
             "mapping expires and the peer can no longer reach us"},
        Case{"BehindNatLearnedEndpointIsTheRoadWarriorsConcern",
             [](Snapshot& s, Snapshot&) {
               s.addresses[0].address = "192.168.1.10";
               RouteTo(s, "0.0.0.0/0").gateway = "192.168.1.1";
               s.wireguard[0].config = "/etc/wireguard/wg0.conf";  // branch's endpoint not in it
             },
             false, kBranch, "wg.ok", Severity::kOk,
             "handshake 60 s ago; nothing points at a fault"},
        Case{"BehindCgnatWithKeepaliveIsFine",
             [](Snapshot& s, Snapshot&) { s.addresses[0].address = "100.64.7.10"; }, false, kHq,
             "wg.ok", Severity::kOk, "handshake 30 s ago; nothing points at a fault"},
        Case{"AllowedIpsDuplicate",
             [](Snapshot& s, Snapshot&) {
               Peer(s, "branch").allowed_ips.push_back("192.168.50.0/24");
             },
             false, kBranch, "wg.allowedips.overlap", Severity::kCritical,
             "AllowedIPs 192.168.50.0/24 also on peer hq: WireGuard keeps each prefix on one peer "
             "only, so one of them silently loses it"},
        Case{"AllowedIpsDuplicateWithHostBits",
             [](Snapshot& s, Snapshot&) {
               Peer(s, "hq").allowed_ips.push_back("192.168.60.7/24");
             },
             false, kHq, "wg.allowedips.overlap", Severity::kCritical,
             "AllowedIPs 192.168.60.0/24 also on peer branch: WireGuard keeps each prefix on one "
             "peer only, so one of them silently loses it"},
        Case{"AllowedIpsContainment",
             [](Snapshot& s, Snapshot&) { Peer(s, "hq").allowed_ips.push_back("192.168.0.0/16"); },
             false, kHq, "wg.allowedips.overlap", Severity::kWarning,
             "AllowedIPs 192.168.0.0/16 contains 192.168.60.0/24 of peer branch: that part belongs "
             "to the other peer (longest prefix wins), both for traffic to it and for packets from "
             "it"},
        Case{"AllowedIpsCatchAllIsInfo",
             [](Snapshot& s, Snapshot&) { Peer(s, "hq").allowed_ips.push_back("0.0.0.0/0"); },
             false, kHq, "wg.allowedips.overlap", Severity::kInfo,
             "AllowedIPs 0.0.0.0/0 contains 10.99.0.3/32 of peer branch (and 1 more): that part "
             "belongs to the other peer (longest prefix wins), both for traffic to it and for "
             "packets from it"},
        Case{"AllowedIpsUnrouted",
             [](Snapshot& s, Snapshot&) {
               std::erase_if(s.routes, [](const Route& r) { return r.dst == "192.168.60.0/24"; });
             },
             false, kBranch, "wg.allowedips.unrouted", Severity::kCritical,
             "192.168.60.0/24 in peer branch's AllowedIPs has no route into wg0 in any table: "
             "traffic to it leaves another way"},
        Case{"AllowedIpsRoutedInAnotherTable",
             [](Snapshot& s, Snapshot&) { RouteTo(s, "192.168.60.0/24").table = 51820; }, false,
             kBranch, "wg.ok", Severity::kOk, "handshake 60 s ago; nothing points at a fault"},
        Case{"MtuLargerThanTheUnderlay",
             [](Snapshot& s, Snapshot&) { Wg0(s).mtu = 1500; }, false, "wg0", "wg.mtu",
             Severity::kWarning,
             "wg0 MTU 1500 is larger than the underlay allows: peer hq's endpoint is reached via "
             "eth0 (MTU 1500) and WireGuard adds 60 bytes; use at most 1420"},
        Case{"MtuFitsIpv4Only",
             [](Snapshot& s, Snapshot&) { Wg0(s).mtu = 1440; }, false, "wg0", "wg.mtu",
             Severity::kInfo,
             "wg0 MTU 1440 fits IPv4 endpoints via eth0 (MTU 1500) but not IPv6 ones; wg-quick "
             "uses underlay - 80 = 1420"},
        Case{"MtuOfThePathFromTheRoute",
             [](Snapshot& s, Snapshot&) { RouteTo(s, "0.0.0.0/0").mtu = 1400; }, false, "wg0",
             "wg.mtu", Severity::kWarning,
             "wg0 MTU 1420 is larger than the underlay allows: peer hq's endpoint is reached via "
             "eth0 (MTU 1400) and WireGuard adds 60 bytes; use at most 1320"},
        Case{"StrictRpFilterWithAsymmetricReturn",
             [](Snapshot& s, Snapshot&) {
               Wg0(s).rp_filter = 1;
               Route& r = RouteTo(s, "192.168.60.0/24");
               r.dev = "eth0", r.gateway = "203.0.113.1";
             },
             false, "wg0", "net.rp-filter.strict", Severity::kWarning,
             "strict reverse-path filtering on wg0 drops packets from the tunnel's remote "
             "networks whose route back leaves another way: 192.168.60.0/24 returns via eth0"},
        Case{"StrictRpFilterDropsCounted",
             [](Snapshot& s, Snapshot& prev) {
               Wg0(s).rp_filter = 1;
               Route& r = RouteTo(s, "192.168.60.0/24");
               r.dev = "eth0", r.gateway = "203.0.113.1";
               prev.counters.tcp_ext["IPReversePathFilter"] = 3;
               s.counters.tcp_ext["IPReversePathFilter"] = 40;
             },
             true, "wg0", "net.rp-filter.strict", Severity::kCritical,
             "strict reverse-path filtering on wg0 drops packets from the tunnel's remote "
             "networks whose route back leaves another way: 192.168.60.0/24 returns via eth0"},
        Case{"StrictRpFilterWithSymmetricRoutesIsFine",
             [](Snapshot& s, Snapshot&) { Wg0(s).rp_filter = 1; }, false, "wg0", "wg.ok",
             Severity::kOk, "wg0 is up with 2 peers; nothing points at a fault"},
        Case{"ModuleMissing",
             [](Snapshot& s, Snapshot&) {
               s.sources[kSourceWireguard] = {SourceState::kUnavailable,
                                              "WireGuard module not loaded (modprobe wireguard)"};
               s.wireguard.clear();
               std::erase_if(s.interfaces, [](const Interface& i) { return i.name == "wg0"; });
             },
             false, "edge-test", "wg.module.missing", Severity::kInfo,
             "the WireGuard kernel module is not loaded: there is no WireGuard interface here"},
        Case{"ModuleMissingButUserspaceWireguard",
             [](Snapshot& s, Snapshot&) {
               s.sources[kSourceWireguard] = {SourceState::kUnavailable,
                                              "WireGuard module not loaded (modprobe wireguard)"};
               s.wireguard.clear();
               Wg0(s).kind = "tun";
             },
             false, "edge-test", "wg.module.missing", Severity::kWarning,
             "the WireGuard kernel module is not loaded, yet wg0 exists: a userspace WireGuard "
             "(wireguard-go) without its UAPI socket in /var/run/wireguard, or a leftover"},
        Case{"ModuleMissingUserspaceReadOverUapi",
             [](Snapshot& s, Snapshot&) {
               s.sources[kSourceWireguard] = {SourceState::kUnavailable,
                                              "WireGuard module not loaded (modprobe wireguard)"};
               s.wireguard[0].userspace = true;
               Wg0(s).kind = "tun";
             },
             false, "edge-test", "wg.module.missing", Severity::kInfo,
             "the WireGuard kernel module is not loaded; wg0 is userspace WireGuard, read through "
             "its UAPI socket"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(WireguardRules, CauseOutranksTheOneWaySymptom) {
  // Replies are routed past the tunnel: unrouted (cause) before one-way.
  Snapshot now = HealthyWireguard(), prev = PreviousWireguard();
  std::erase_if(now.routes, [](const Route& r) { return r.dst == "192.168.50.0/24"; });
  Peer(now, "hq").rx_bytes = Peer(prev, "hq").rx_bytes + 100000;
  Peer(now, "hq").tx_bytes = Peer(prev, "hq").tx_bytes;
  Report r = Diagnose(now, &prev);
  const SubjectReport* s = FindSubject(r, kHq);
  ASSERT_NE(s, nullptr);
  ASSERT_EQ(s->findings.size(), 2u);
  EXPECT_EQ(s->findings[0].id, "wg.allowedips.unrouted");
  EXPECT_EQ(s->findings[1].id, "wg.traffic.one-way");
}

TEST(WireguardRules, ShortWindowWithNothingBackIsOnlyAWarning) {
  // The peer's passive keepalive comes within 10 s: a 5 s window proves less.
  Snapshot now = HealthyWireguard(), prev = PreviousWireguard();
  prev.taken_at_ms = now.taken_at_ms - 5000;
  Peer(now, "hq").tx_bytes = Peer(prev, "hq").tx_bytes + 100000;
  Peer(now, "hq").rx_bytes = Peer(prev, "hq").rx_bytes;
  auto f = RunRule(CheckWgTrafficOneWay, now, &prev);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].severity, Severity::kWarning);
}

TEST(WireguardRules, NeverHandshakedPeerIsNotAlsoStale) {
  Snapshot s = HealthyWireguard();
  Peer(s, "hq").last_handshake = 0;
  EXPECT_TRUE(RunRule(CheckWgHandshakeStale, s, nullptr).empty());
  EXPECT_EQ(RunRule(CheckWgHandshakeNever, s, nullptr).size(), 1u);
}

TEST(WireguardRules, DuplicateIsReportedOnBothPeers) {
  Snapshot s = HealthyWireguard();
  Peer(s, "branch").allowed_ips.push_back("192.168.50.0/24");
  auto f = RunRule(CheckWgAllowedIpsOverlap, s, nullptr);
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[0].subject.id, kHq);
  EXPECT_EQ(f[0].message,
            "AllowedIPs 192.168.50.0/24 also on peer branch: WireGuard keeps each prefix on one "
            "peer only, so one of them silently loses it");
  EXPECT_EQ(f[1].subject.id, kBranch);
}

TEST(WireguardRules, Ipv6AllowedIpsOverlapAndRoutes) {
  Snapshot s = HealthyWireguard();
  Peer(s, "hq").allowed_ips.push_back("fd00:50::/48");
  Peer(s, "branch").allowed_ips.push_back("fd00:50:0:1::/64");
  s.routes.push_back({.family = 6, .dst = "fd00:50::/48", .dev = "wg0", .ifindex = 5});
  auto overlap = RunRule(CheckWgAllowedIpsOverlap, s, nullptr);
  ASSERT_EQ(overlap.size(), 1u);
  EXPECT_EQ(overlap[0].subject.id, kHq);
  EXPECT_EQ(overlap[0].severity, Severity::kWarning);
  EXPECT_TRUE(RunRule(CheckWgAllowedIpsUnrouted, s, nullptr).empty());
}

TEST(WireguardRules, PublicKeysOnlyNoSecretsInFindings) {
  // The model holds no private or preshared keys; findings must not invent
  // any field that looks like one.
  Snapshot s = HealthyWireguard();
  Peer(s, "hq").last_handshake = 0;
  for (const auto& f : RunRule(CheckWgHandshakeNever, s, nullptr)) {
    EXPECT_EQ(f.remedy.find("private"), std::string::npos);
    EXPECT_EQ(f.message.find("PrivateKey"), std::string::npos);
  }
}

TEST(WireguardRules, OverlapScalesLinearlyNotPairwise) {
  // 20,000 peers, 40,000 prefixes: pairwise would be 8e8 comparisons.
  Snapshot s = testing::ManyWireguardPeers(20000);
  auto& peers = s.wireguard[0].peers;
  peers[123].allowed_ips.push_back(peers[19000].allowed_ips[1]);
  auto start = std::chrono::steady_clock::now();
  auto f = RunRule(CheckWgAllowedIpsOverlap, s, nullptr);
  auto unrouted = RunRule(CheckWgAllowedIpsUnrouted, s, nullptr);
  auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[0].subject.id, "wg0:" + peers[123].public_key);
  EXPECT_EQ(f[1].subject.id, "wg0:" + peers[19000].public_key);
  EXPECT_TRUE(unrouted.empty());
  EXPECT_LT(std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count(), 5000);
}

// A failed route dump silences the checks that need routes, and no other.
TEST(WireguardRules, FailedRouteDumpSilencesOnlyRouteChecks) {
  Snapshot s = HealthyWireguard();
  s.routes.clear();
  s.sources[kSourceRoutes] = {SourceState::kUnavailable, "RTM_GETROUTE: interrupted"};
  EXPECT_TRUE(RunRule(CheckWgAllowedIpsUnrouted, s, nullptr).empty());
  Peer(s, "branch").last_handshake = 0;
  Peer(s, "branch").rx_bytes = 0;
  EXPECT_EQ(RunRule(CheckWgHandshakeNever, s, nullptr).size(), 1u);
}

TEST(WireguardRules, EveryRuleIsRegisteredOnceWithItsId) {
  std::set<std::string> ids;
  for (const auto& r : WireguardRules()) {
    EXPECT_TRUE(ids.insert(std::string(r.id)).second) << r.id;
    EXPECT_EQ(r.family, r.id.rfind("net.", 0) == 0 ? Family::kNet : Family::kWireguard);
  }
  EXPECT_EQ(ids.size(), 13u);
  EXPECT_TRUE(ids.count("net.rp-filter.strict"));
  EXPECT_TRUE(ids.count("wg.peer.idle"));
  EXPECT_TRUE(ids.count("wg.probe.no-reply"));
}

}  // namespace
}  // namespace edgediag::plugin

namespace edgediag::plugin {
namespace {

TEST(Cat, JoinsInOneAllocationOfExactlyTheSize) {
  std::string key(44, 'k');
  std::string s = Cat({"`--expect-up ", key, "` or `expect-up = ", key, "`"});
  EXPECT_EQ(s, "`--expect-up " + key + "` or `expect-up = " + key + "`");
  EXPECT_EQ(s.capacity(), s.size());
  EXPECT_EQ(Cat({}), "");
  EXPECT_EQ(Cat({"", "a", ""}), "a");
}

// FormatBytes rounds in integers; it must print what "{:.1f}" printed.
TEST(FormatBytes, AgreesWithPrintfRounding) {
  auto reference = [](std::uint64_t n) {
    if (n < 1024) return fmt::format("{} B", n);
    if (n < 1024 * 1024) return fmt::format("{:.1f} KiB", n / 1024.0);
    if (n < 1024ull * 1024 * 1024) return fmt::format("{:.1f} MiB", n / (1024.0 * 1024));
    return fmt::format("{:.1f} GiB", n / (1024.0 * 1024 * 1024));
  };
  for (std::uint64_t n = 0; n < 3 * 1024 * 1024; ++n) ASSERT_EQ(FormatBytes(n), reference(n)) << n;
  std::mt19937_64 rng(11);
  for (int i = 0; i < 200000; ++i) {
    std::uint64_t n = rng() >> (11 + rng() % 40);  // below 2^53: exact as a double
    ASSERT_EQ(FormatBytes(n), reference(n)) << n;
  }
  for (int shift : {20, 30})
    for (std::uint64_t k = 1; k < 4096; ++k) {  // the halves: 0.05, 0.15, ... exactly
      std::uint64_t n = (k << shift) / 20;
      for (std::uint64_t d : {n - 1, n, n + 1}) ASSERT_EQ(FormatBytes(d), reference(d)) << d;
    }
}

TEST(FormatAge, Units) {
  EXPECT_EQ(FormatAge(0), "0 s");
  EXPECT_EQ(FormatAge(119), "119 s");
  EXPECT_EQ(FormatAge(120), "2 min");
  EXPECT_EQ(FormatAge(7199), "119 min");
  EXPECT_EQ(FormatAge(7200), "2 h");
  EXPECT_EQ(FormatAge(2 * 86400), "2 days");
}

}  // namespace
}  // namespace edgediag::plugin

namespace edgediag::plugin {
namespace {

TEST(WireguardRules, RoadWarriorHubOf10000PeersWith9000IdleIsOk) {
  Snapshot s = testing::ManyWireguardPeers(10000);
  const std::int64_t now = kNow;
  auto& peers = s.wireguard[0].peers;
  for (std::size_t i = 0; i < 9000; ++i) {
    WgPeer& p = peers[i];
    p.persistent_keepalive = 0;
    if (i % 2) {
      p.endpoint.clear();  // never connected
      p.last_handshake = 0, p.rx_bytes = 0, p.tx_bytes = 0;
    } else {
      p.last_handshake = now - 5 * 3600;  // gone home hours ago
    }
  }
  Report r = Diagnose(s, nullptr);
  auto sum = Summary(r);
  EXPECT_EQ(sum["critical"], 0);
  EXPECT_EQ(sum["warning"], 0);
  EXPECT_EQ(sum["unknown"], 0);
  std::size_t idle = 0;
  for (const auto& sr : r.subjects)
    if (!sr.findings.empty() && sr.findings[0].id == "wg.peer.idle") ++idle;
  EXPECT_EQ(idle, 9000u);
}

TEST(WireguardRules, IdleHubPeerTurnsIntoAFaultWhenTheOperatorExpectsIt) {
  Snapshot s = HealthyWireguard();
  WgPeer& p = Peer(s, "branch");
  p.endpoint.clear();
  p.last_handshake = 0, p.rx_bytes = 0, p.tx_bytes = 0;
  EXPECT_EQ(RunRule(CheckWgPeerIdle, s, nullptr).size(), 1u);
  EXPECT_TRUE(RunRule(CheckWgEndpointMissing, s, nullptr).empty());
  p.expect_up = true;
  EXPECT_TRUE(RunRule(CheckWgPeerIdle, s, nullptr).empty());
  EXPECT_EQ(RunRule(CheckWgEndpointMissing, s, nullptr).size(), 1u);
}

TEST(WireguardRules, ProbeOfAPeerWhoseHandshakeIsGoneIsNotJudged) {
  // No control plane: wg.handshake.* speaks, not the probe.
  Snapshot s = HealthyWireguard();
  Peer(s, "hq").last_handshake = kNow - 900;
  s.probes.push_back({.target = "10.99.0.2", .tunnel = kHq, .origin = "operator", .sent = 3});
  EXPECT_TRUE(RunRule(CheckWgProbeNoReply, s, nullptr).empty());
}

TEST(WireguardRules, StaleAfterFollowsTheProtocolTimers) {
  WgPeer p;
  EXPECT_EQ(StaleAfter(p), kRejectAfterTime);
  p.persistent_keepalive = 25;
  EXPECT_EQ(StaleAfter(p), kRejectAfterTime);  // 120 + 25 + 5 < 180
  p.persistent_keepalive = 100;
  EXPECT_EQ(StaleAfter(p), kRekeyAfterTime + 100 + kRekeyTimeout);
}

}  // namespace
}  // namespace edgediag::plugin

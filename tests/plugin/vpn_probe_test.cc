// vpn --probe's choice of tunnels, targets and sources, and the
// ipsec.probe.no-reply rule, on the hand-built VPN routers.
#include "plugin/vpn_probe.h"

#include <gtest/gtest.h>

#include "plugin/ipsec_rules.h"
#include "tests/support/run_rule.h"
#include "tests/support/vpn_fixture.h"

namespace edgediag::plugin {
namespace {

using Targets = std::vector<std::pair<std::string, std::string>>;

TEST(VpnProbe, WireguardTargetsDerivedFromSingleHostAllowedIps) {
  Snapshot s = testing::HealthyWireguard();
  Facts facts(s);
  auto t = VpnProbeTargets(facts, {}, true, true);
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(t[0].tunnel, std::string("wg0:") + testing::kHqKey);
  EXPECT_EQ(t[0].target, "10.99.0.2");
  EXPECT_EQ(t[0].source, "10.99.0.1");
  EXPECT_EQ(t[0].dev, "wg0");
  EXPECT_EQ(t[0].origin, "derived");
  EXPECT_EQ(t[1].target, "10.99.0.3");
}

TEST(VpnProbe, OperatorTargetByNameKeyOrInterface) {
  Snapshot s = testing::HealthyWireguard();
  Facts facts(s);
  Targets by_name{{"hq", "192.168.50.1"}, {"wg0", "192.168.60.9"}};
  auto t = VpnProbeTargets(facts, by_name, true, false);
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(t[0].target, "192.168.50.1");
  EXPECT_EQ(t[0].origin, "operator");
  // The interface-wide target belongs to the peer whose AllowedIPs hold it.
  EXPECT_EQ(t[1].target, "192.168.60.9");
  EXPECT_EQ(t[1].origin, "operator");
}

TEST(VpnProbe, PeersWithoutALiveHandshakeAreNotProbed) {
  Snapshot s = testing::HealthyWireguard();
  testing::Peer(s, "branch").last_handshake = 0;
  Facts facts(s);
  EXPECT_EQ(VpnProbeTargets(facts, {}, true, false).size(), 1u);
}

TEST(VpnProbe, PolicyBasedIpsecNeedsAnOperatorTargetAndUsesASourceInsideTheSelector) {
  Snapshot s = testing::HealthyIpsec();
  Facts facts(s);
  // 10.2.0.0/16 is no single host: nothing safe to derive.
  EXPECT_TRUE(VpnProbeTargets(facts, {}, false, true).empty());
  Targets op{{"site-b-tunnel-0", "10.2.0.1"}};
  auto t = VpnProbeTargets(facts, op, false, true);
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].tunnel, "site-b");
  EXPECT_EQ(t[0].child, "site-b-tunnel-0");
  EXPECT_EQ(t[0].source, "10.1.1.1");
  EXPECT_EQ(t[0].origin, "operator");
}

TEST(VpnProbe, RouteBasedIpsecProbesTheVtiPeer) {
  Snapshot s = testing::RouteBasedIpsec();
  Facts facts(s);
  auto t = VpnProbeTargets(facts, {}, false, true);
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].target, "169.254.0.2");
  EXPECT_EQ(t[0].source, "169.254.0.1");
  EXPECT_EQ(t[0].dev, "vti1");
  EXPECT_EQ(t[0].origin, "derived");
}

TEST(VpnProbe, ProbeTargetParsing) {
  std::string error;
  auto a = ParseProbeTarget("wg0:hqPeerKeyAAAA==10.0.0.1", &error);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->first, "wg0:hqPeerKeyAAAA=");
  EXPECT_EQ(a->second, "10.0.0.1");
  EXPECT_FALSE(ParseProbeTarget("site-b", &error));
  EXPECT_EQ(error, "'site-b' is not TUNNEL=ADDR");
  EXPECT_FALSE(ParseProbeTarget("site-b=10.0.0.300", &error));
  EXPECT_EQ(error, "'10.0.0.300' in 'site-b=10.0.0.300' is not an IPv4 or IPv6 address");
}

TEST(IpsecProbe, NoReplyThroughAnInstalledChildIsCriticalWithAnOperatorTarget) {
  Snapshot s = testing::HealthyIpsec();
  s.probes.push_back({.target = "10.2.0.1", .size = 84, .detail = "3 sent, 0 received",
                      .tunnel = "site-b", .child = "site-b-tunnel-0", .source = "10.1.1.1",
                      .origin = "operator", .sent = 3});
  auto f = testing::RunRule(CheckIpsecProbeNoReply, s, nullptr);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].id, "ipsec.probe.no-reply");
  EXPECT_EQ(f[0].severity, Severity::kCritical);
  EXPECT_EQ(f[0].subject.id, "site-b");
  EXPECT_EQ(f[0].message,
            "CHILD SA site-b-tunnel-0 is INSTALLED, yet 3 echo requests from 10.1.1.1 to "
            "10.2.0.1 through it got no reply: the tunnel does not carry traffic");
  s.probes[0].origin = "derived";
  f = testing::RunRule(CheckIpsecProbeNoReply, s, nullptr);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].severity, Severity::kWarning);
  s.probes[0].received = 2;
  EXPECT_TRUE(testing::RunRule(CheckIpsecProbeNoReply, s, nullptr).empty());
}

// The path-MTU ladder of `vpn --probe` through "site-b-tunnel-0": the small
// echo, then DF echoes; the router refused 1500 (its MTU after ESP is 1438).
Snapshot Ladder(std::initializer_list<std::pair<std::uint32_t, std::uint32_t>> df_sizes_received) {
  Snapshot s = testing::HealthyIpsec();
  Probe base{.target = "10.2.0.1", .tunnel = "site-b", .child = "site-b-tunnel-0",
             .source = "10.1.1.1", .origin = "operator"};
  Probe small = base;
  small.size = 84;
  small.sent = 3;
  small.received = 3;
  small.ok = true;
  small.detail = "3 sent, 3 received";
  s.probes.push_back(small);
  Probe refused = base;
  refused.size = 1500;
  refused.df = true;
  refused.mtu = 1438;
  s.probes.push_back(refused);
  for (auto [size, received] : df_sizes_received) {
    Probe p = base;
    p.size = size;
    p.df = true;
    p.sent = 2;
    p.received = received;
    p.ok = received > 0;
    s.probes.push_back(p);
  }
  return s;
}

TEST(IpsecProbe, DfEchoesLostAboveASizeAreAPathMtuBlackHole) {
  Snapshot s = Ladder({{1438, 0}, {1309, 0}, {1180, 2}, {1250, 2}, {1280, 0}});
  auto f = testing::RunRule(CheckIpsecMtu, s, nullptr);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].id, "ipsec.mtu");
  EXPECT_EQ(f[0].severity, Severity::kWarning);
  EXPECT_EQ(f[0].subject.id, "site-b");
  EXPECT_NE(f[0].message.find("packets of 1280 bytes with Don't Fragment set vanish while "
                              "1250-byte ones are answered"),
            std::string::npos)
      << f[0].message;
  ASSERT_GE(f[0].evidence.size(), 2u);
  EXPECT_EQ(f[0].evidence[0].observed, "1250 bytes answered, 1280 bytes lost");
  EXPECT_EQ(f[0].evidence[1].observed, "1438 (after ESP)");
  EXPECT_NE(f[0].remedy.find("ping -M do -s 1222 -I 10.1.1.1 10.2.0.1"), std::string::npos)
      << f[0].remedy;
  // The DF echoes never count as a tunnel without replies.
  EXPECT_TRUE(testing::RunRule(CheckIpsecProbeNoReply, s, nullptr).empty());
}

TEST(IpsecProbe, DfEchoesTheKernelDroppedOnTheWayOutCountAsLost) {
  Snapshot s = Ladder({{1180, 2}});
  Probe dropped = s.probes.back();
  dropped.size = 1446;
  dropped.sent = dropped.received = 0;
  dropped.ok = false;
  dropped.dropped = true;
  s.probes.push_back(dropped);
  auto f = testing::RunRule(CheckIpsecMtu, s, nullptr);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].evidence[0].observed, "1180 bytes answered, 1446 bytes lost");
}

TEST(IpsecProbe, AFullSizeAnsweredOrRandomLossIsNoMtuFinding) {
  EXPECT_TRUE(testing::RunRule(CheckIpsecMtu, Ladder({{1438, 2}}), nullptr).empty());
  // A bigger size answered than one lost: loss, not a size limit.
  EXPECT_TRUE(testing::RunRule(CheckIpsecMtu, Ladder({{1438, 2}, {1300, 0}}), nullptr).empty());
  // A tunnel whose small echo is not answered is ipsec.probe.no-reply's.
  Snapshot dead = Ladder({{1438, 0}});
  dead.probes[0].received = 0;
  dead.probes[0].ok = false;
  EXPECT_TRUE(testing::RunRule(CheckIpsecMtu, dead, nullptr).empty());
}

}  // namespace
}  // namespace edgediag::plugin

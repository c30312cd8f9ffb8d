// Table-driven tests of the ipsec.* rules: each case breaks the healthy
// site-to-site fixture in one way (with a previous sample where the rule
// needs counter deltas) and names the finding that must come first.
#include <gtest/gtest.h>

#include <functional>
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

using testing::HealthyIpsec;
using testing::PreviousIpsec;
using testing::RouteBasedIpsec;

struct Case {
  const char* name;
  std::function<void(Snapshot& now, Snapshot& prev)> fault;
  bool with_previous;
  const char* first_id;
  Severity severity;
  const char* message;  ///< the first finding's exact message
  const char* subject = "site-b";
  std::function<Snapshot()> base = HealthyIpsec;
};

Report Diagnose(const Snapshot& s, const Snapshot* prev) {
  Family vpn[] = {Family::kIpsec, Family::kNet};
  return BuildReport("vpn", vpn, s, prev);
}

const SubjectReport* FindSubject(const Report& r, const std::string& id) {
  for (const auto& s : r.subjects)
    if (s.subject.id == id) return &s;
  return nullptr;
}

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

class IpsecRulesTest : public ::testing::TestWithParam<Case> {};

TEST_P(IpsecRulesTest, FirstFindingNamesTheInjectedCause) {
  const Case& c = GetParam();
  Snapshot now = c.base();
  Snapshot prev = now;
  prev.taken_at_ms -= 30000;
  if (!prev.ike_sas.empty() && !prev.ike_sas[0].child_sas.empty()) {
    // 30 s earlier, both directions 50 packets lower.
    ChildSa& pc = prev.ike_sas[0].child_sas[0];
    pc.bytes_in -= 42000, pc.bytes_out -= 60000, pc.packets_in -= 50, pc.packets_out -= 55;
  }
  c.fault(now, prev);
  testing::RecordGoldenInput(std::string("ipsec-") + c.name, now, c.with_previous ? &prev : nullptr);
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

void NoIke(Snapshot& s, Snapshot&) { s.ike_sas.clear(); }

INSTANTIATE_TEST_SUITE_P(
    Cases, IpsecRulesTest,
    ::testing::Values(
        Case{"Healthy", [](Snapshot&, Snapshot&) {}, true, "ipsec.ok", Severity::kOk,
             "IKE SA ESTABLISHED with 198.51.100.2, 1 of 1 CHILD SAs INSTALLED; nothing points at "
             "a fault"},
        Case{"HealthySingleSample", [](Snapshot&, Snapshot&) {}, false, "ipsec.ok", Severity::kOk,
             "IKE SA ESTABLISHED with 198.51.100.2, 1 of 1 CHILD SAs INSTALLED; nothing points at "
             "a fault"},
        Case{"IkeDownStart", NoIke, false, "ipsec.ike.down", Severity::kCritical,
             "configured to start, but no IKE SA is established with 198.51.100.2"},
        Case{"IkeConnecting",
             [](Snapshot& s, Snapshot&) {
               s.ike_sas[0].state = "CONNECTING";
               s.ike_sas[0].child_sas.clear();
             },
             false, "ipsec.ike.down", Severity::kCritical,
             "configured to start, but no IKE SA is established with 198.51.100.2"},
        Case{"IkeDownTrapIdleIsInfo",
             [](Snapshot& s, Snapshot&) {
               s.ike_sas.clear();
               s.xfrm_states.clear();
               s.ipsec_connections[0].children[0].start_action = "trap";
             },
             false, "ipsec.ike.down", Severity::kInfo,
             "no IKE SA with 198.51.100.2: an on-demand (trap) connection, idle, with no traffic "
             "waiting"},
        Case{"IkeDownTrapInferredFromKernelOnStrongswan59",
             [](Snapshot& s, Snapshot&) {
               s.ike_sas.clear();
               s.xfrm_states.clear();  // the policy stays: a trap
               s.ipsec_connections[0].children[0].start_action = "";
             },
             false, "ipsec.ike.down", Severity::kInfo,
             "no IKE SA with 198.51.100.2: an on-demand (trap) connection, idle, with no traffic "
             "waiting"},
        Case{"IkeDownTrapWithPacketsWaiting",
             [](Snapshot& s, Snapshot& prev) {
               s.ike_sas.clear();
               s.xfrm_states.clear();
               s.ipsec_connections[0].children[0].start_action = "trap";
               prev.counters.xfrm_stat["XfrmOutNoStates"] = 10;
               s.counters.xfrm_stat["XfrmOutNoStates"] = 25;
             },
             true, "ipsec.ike.down", Severity::kCritical,
             "no IKE SA is established with 198.51.100.2 while packets wait for an IPsec SA"},
        Case{"IkeDownRespondOnly",
             [](Snapshot& s, Snapshot&) {
               s.ike_sas.clear();
               s.ipsec_connections[0].children[0].start_action = "none";
             },
             false, "ipsec.ike.down", Severity::kWarning,
             "no IKE SA with 198.51.100.2: this side only responds (start_action none) and the "
             "peer has not connected"},
        Case{"IkeDownStartActionUnknown",
             [](Snapshot& s, Snapshot&) {
               s.ike_sas.clear();
               s.ipsec_connections[0].children[0].start_action = "";
             },
             false, "ipsec.ike.down", Severity::kWarning,
             "configured, but no IKE SA is established with 198.51.100.2"},
        Case{"DuplicateIkeWithZeroInbound",
             [](Snapshot& s, Snapshot&) {
               IkeSa dup = s.ike_sas[0];
               dup.uniqueid = 2;
               dup.established = 120;
               ChildSa& c = dup.child_sas[0];
               c.uniqueid = 2;  // same selectors: charon gives the same reqid
               c.spi_in = "0a0b0c0d";
               c.spi_out = "0d0c0b0a";
               c.bytes_in = 0, c.packets_in = 0, c.use_in.reset();
               c.bytes_out = 5000, c.packets_out = 40;
               s.ike_sas.push_back(dup);
               s.xfrm_states.push_back({.src = "198.51.100.2", .dst = "203.0.113.2",
                                        .proto = "esp", .spi = 0x0a0b0c0d, .reqid = 1});
               s.xfrm_states.push_back({.src = "203.0.113.2", .dst = "198.51.100.2",
                                        .proto = "esp", .spi = 0x0d0c0b0a, .reqid = 1});
             },
             false, "ipsec.ike.duplicate", Severity::kCritical,
             "2 IKE SAs are established with 198.51.100.2 for the same connection; 1 of them send "
             "but receive nothing"},
        Case{"ChildAbsent",
             [](Snapshot& s, Snapshot&) { s.ike_sas[0].child_sas.clear(); }, false,
             "ipsec.child.missing", Severity::kCritical,
             "IKE SA with 198.51.100.2 is up but CHILD SA site-b-tunnel-0 (10.1.1.0/24 === "
             "10.2.0.0/16) is absent"},
        Case{"ChildNotInstalled",
             [](Snapshot& s, Snapshot&) { s.ike_sas[0].child_sas[0].state = "CREATED"; }, false,
             "ipsec.child.missing", Severity::kCritical,
             "IKE SA with 198.51.100.2 is up but CHILD SA site-b-tunnel-0 (10.1.1.0/24 === "
             "10.2.0.0/16) is in state CREATED"},
        Case{"OneWayNeverReceivedSingleSample",
             [](Snapshot& s, Snapshot&) {
               ChildSa& c = s.ike_sas[0].child_sas[0];
               c.bytes_in = 0, c.packets_in = 0, c.use_in.reset();
             },
             false, "ipsec.traffic.one-way", Severity::kCritical,
             "CHILD SA site-b-tunnel-0 sends (1100 packets, last 1 s ago) but has never received "
             "a packet"},
        Case{"OneWayInboundMuchOlderSingleSample",
             [](Snapshot& s, Snapshot&) { s.ike_sas[0].child_sas[0].use_in = 300; }, false,
             "ipsec.traffic.one-way", Severity::kWarning,
             "CHILD SA site-b-tunnel-0 sent 1 s ago but last received 300 s ago"},
        Case{"OneWayOutboundDeltas",
             [](Snapshot& s, Snapshot& prev) {
               ChildSa& c = s.ike_sas[0].child_sas[0];
               const ChildSa& p = prev.ike_sas[0].child_sas[0];
               c.bytes_in = p.bytes_in, c.packets_in = p.packets_in;
               c.use_in = 45;  // single-sample view would not be conclusive
             },
             true, "ipsec.traffic.one-way", Severity::kCritical,
             "CHILD SA site-b-tunnel-0 sent 55 packets in 30 s and received none: traffic goes "
             "out through the tunnel but nothing comes back"},
        Case{"OneWayAcrossARekey",
             [](Snapshot& s, Snapshot&) {
               // Rekeyed in between: new SPIs, counters restarted below the
               // previous ones. Never a negative delta: counted since the rekey.
               ChildSa& c = s.ike_sas[0].child_sas[0];
               c.uniqueid = 7;
               c.spi_in = "11111111";
               c.spi_out = "22222222";
               c.bytes_in = 0, c.packets_in = 0, c.use_in.reset();
               c.bytes_out = 9000, c.packets_out = 20;
               c.install_time = 20;
               s.xfrm_states[0].spi = 0x11111111;
               s.xfrm_states[1].spi = 0x22222222;
             },
             true, "ipsec.traffic.one-way", Severity::kCritical,
             "CHILD SA site-b-tunnel-0 sent 20 packets in 30 s and received none: traffic goes "
             "out through the tunnel but nothing comes back"},
        Case{"SnatBeforePolicy",
             [](Snapshot& s, Snapshot& prev) {
               s.nat_rules.erase(s.nat_rules.begin());  // the VyOS exclude rule 10
               // The symptom: requests arrive, replies leave unencrypted.
               ChildSa& c = s.ike_sas[0].child_sas[0];
               const ChildSa& p = prev.ike_sas[0].child_sas[0];
               c.bytes_out = p.bytes_out, c.packets_out = p.packets_out, c.use_out = 40;
             },
             true, "ipsec.nat.snat-before-policy", Severity::kCritical,
             "source NAT (masquerade in ip vyos_nat POSTROUTING) rewrites 10.1.1.0/24 -> "
             "10.2.0.0/16 before IPsec: the packets no longer match CHILD SA site-b-tunnel-0 and "
             "leave unencrypted"},
        Case{"SnatExemptionInAnotherChainDoesNotCount",
             [](Snapshot& s, Snapshot&) {
               s.nat_rules[0].table = "filter_nat";
               s.nat_rules[0].chain = "EXEMPT";
             },
             false, "ipsec.nat.snat-before-policy", Severity::kCritical,
             "source NAT (masquerade in ip vyos_nat POSTROUTING) rewrites 10.1.1.0/24 -> "
             "10.2.0.0/16 before IPsec: the packets no longer match CHILD SA site-b-tunnel-0 and "
             "leave unencrypted"},
        Case{"SnatExemptByRtIpsecExists",
             [](Snapshot& s, Snapshot&) {
               s.nat_rules[0] = {.family = "ip", .table = "vyos_nat", .chain = "POSTROUTING",
                                 .hook = "postrouting", .handle = 11, .verdict = "accept",
                                 .ipsec = "exists", .text = "rt ipsec exists accept"};
             },
             false, "ipsec.ok", Severity::kOk,
             "IKE SA ESTABLISHED with 198.51.100.2, 1 of 1 CHILD SAs INSTALLED; nothing points at "
             "a fault"},
        Case{"SnatNegatedDaddrIsAnExemption",
             [](Snapshot& s, Snapshot&) {
               s.nat_rules.erase(s.nat_rules.begin());
               s.nat_rules[0].daddr = {"10.2.0.0/16"};
               s.nat_rules[0].daddr_negated = true;
             },
             false, "ipsec.ok", Severity::kOk,
             "IKE SA ESTABLISHED with 198.51.100.2, 1 of 1 CHILD SAs INSTALLED; nothing points at "
             "a fault"},
        Case{"SnatOnlyWhenIpsecMissing",
             [](Snapshot& s, Snapshot&) {
               s.nat_rules.erase(s.nat_rules.begin());
               s.nat_rules[0].ipsec = "missing";
             },
             false, "ipsec.ok", Severity::kOk,
             "IKE SA ESTABLISHED with 198.51.100.2, 1 of 1 CHILD SAs INSTALLED; nothing points at "
             "a fault"},
        Case{"NatWithoutEncapsulation",
             [](Snapshot& s, Snapshot&) {
               s.ike_sas[0].nat_remote = true;
               s.ike_sas[0].nat_any = true;
             },
             false, "ipsec.nat.no-encap", Severity::kCritical,
             "NAT sits between the peers but CHILD SA site-b-tunnel-0 sends plain ESP, which NAT "
             "devices drop: UDP encapsulation (port 4500) is off"},
        Case{"OutboundPolicyMissing",
             [](Snapshot& s, Snapshot&) { s.xfrm_policies.erase(s.xfrm_policies.begin()); },
             false, "ipsec.policy.missing", Severity::kCritical,
             "CHILD SA site-b-tunnel-0 is INSTALLED in charon but the kernel has no outbound IPsec "
             "policy for 10.1.1.0/24 === 10.2.0.0/16: traffic leaves unencrypted or is dropped"},
        Case{"KernelStateMissing",
             [](Snapshot& s, Snapshot&) { s.xfrm_states.clear(); }, false,
             "ipsec.policy.missing", Severity::kCritical,
             "CHILD SA site-b-tunnel-0 is INSTALLED in charon but the kernel has no inbound SA "
             "with SPI 0xc1a2b3d4"},
        Case{"XfrmUnreadableIsNotMissing",
             [](Snapshot& s, Snapshot&) {
               s.sources[kSourceXfrm] = {SourceState::kPermissionDenied, "EPERM"};
               s.xfrm_states.clear();
               s.xfrm_policies.clear();
             },
             false, "ipsec.ok", Severity::kOk,
             "IKE SA ESTABLISHED with 198.51.100.2, 1 of 1 CHILD SAs INSTALLED; nothing points at "
             "a fault"},
        Case{"NoRouteForPolicyBasedTunnel",
             [](Snapshot& s, Snapshot&) { s.routes.erase(s.routes.begin()); }, false,
             "ipsec.route.missing", Severity::kCritical,
             "no route to 10.2.0.0/16 in any table: the kernel drops the traffic before the IPsec "
             "policy of CHILD SA site-b-tunnel-0 applies"},
        Case{"BlackholeRouteForPolicyBasedTunnel",
             [](Snapshot& s, Snapshot&) {
               s.routes.push_back({.dst = "10.2.0.0/16", .type = "blackhole", .protocol = "static"});
             },
             false, "ipsec.route.missing", Severity::kCritical,
             "the route to 10.2.0.0/16 is blackhole: the kernel drops the traffic before the IPsec "
             "policy of CHILD SA site-b-tunnel-0 applies"},
        Case{"RouteInStrongswanTable220Counts",
             [](Snapshot& s, Snapshot&) {
               s.routes.erase(s.routes.begin());
               s.routes.push_back({.dst = "10.2.0.0/16", .gateway = "203.0.113.1", .dev = "eth0",
                                   .table = 220, .protocol = "static"});
             },
             false, "ipsec.ok", Severity::kOk,
             "IKE SA ESTABLISHED with 198.51.100.2, 1 of 1 CHILD SAs INSTALLED; nothing points at "
             "a fault"},
        Case{"RouteBasedHealthy", [](Snapshot&, Snapshot&) {}, true, "ipsec.ok", Severity::kOk,
             "IKE SA ESTABLISHED with 198.51.100.2, 1 of 1 CHILD SAs INSTALLED; nothing points at "
             "a fault",
             "site-b", RouteBasedIpsec},
        Case{"RouteBasedRoutedPastTheVti",
             [](Snapshot& s, Snapshot&) { s.routes.pop_back(); }, false, "ipsec.route.missing",
             Severity::kCritical,
             "traffic to 10.2.0.0/16 is routed via eth0, not into vti1: it never reaches CHILD SA "
             "site-b-vti",
             "site-b", RouteBasedIpsec},
        Case{"VtiAdminDownOutranksItsMissingRoutes",
             [](Snapshot& s, Snapshot&) {
               for (auto& i : s.interfaces)
                 if (i.name == "vti1") i.admin_up = false, i.operstate = "DOWN";
               // The kernel drops the routes of a downed interface.
               std::erase_if(s.routes, [](const Route& r) { return r.dev == "vti1"; });
             },
             false, "ipsec.vti.down", Severity::kCritical,
             "CHILD SA site-b-vti is INSTALLED but its tunnel interface vti1 is administratively "
             "down: traffic for the tunnel is dropped",
             "site-b", RouteBasedIpsec},
        Case{"XfrmInterfaceMatchedByIfIdAttribute",
             [](Snapshot& s, Snapshot&) {
               for (auto& i : s.interfaces)
                 if (i.name == "vti1") i.name = "xfrm-b", i.if_id = 2, i.admin_up = false;
               for (auto& r : s.routes)
                 if (r.dev == "vti1") r.dev = "xfrm-b";
             },
             false, "ipsec.vti.down", Severity::kCritical,
             "CHILD SA site-b-vti is INSTALLED but its tunnel interface xfrm-b is administratively "
             "down: traffic for the tunnel is dropped",
             "site-b", RouteBasedIpsec},
        Case{"MtuErrorsRising",
             [](Snapshot& s, Snapshot& prev) {
               prev.counters.xfrm_stat["XfrmOutStateModeError"] = 10;
               s.counters.xfrm_stat["XfrmOutStateModeError"] = 25;
             },
             true, "ipsec.mtu", Severity::kWarning,
             "15 packets were too big for an IPsec SA in the last 30 s (XfrmOutStateModeError): "
             "path MTU discovery is not working through the tunnel"},
        Case{"MtuErrorsSinceBootOnly",
             [](Snapshot& s, Snapshot&) { s.counters.xfrm_stat["XfrmOutStateModeError"] = 7; },
             false, "ipsec.mtu", Severity::kInfo,
             "7 packets were too big for an IPsec SA since boot (XfrmOutStateModeError); sample "
             "twice to see whether it still happens"},
        Case{"CharonDownWithKernelState",
             [](Snapshot& s, Snapshot&) {
               s.sources[kSourceVici] = {SourceState::kUnavailable,
                                         "strongSwan not running: no VICI socket at "
                                         "/var/run/charon.vici"};
               s.ipsec_connections.clear();
               s.ike_sas.clear();
             },
             false, "ipsec.daemon.unreachable", Severity::kCritical,
             "strongSwan is unreachable while the kernel holds 3 IPsec policies and 2 SAs: "
             "nothing will rekey or re-establish them",
             "edge-test"},
        Case{"CharonSocketNotReadable",
             [](Snapshot& s, Snapshot&) {
               s.sources[kSourceVici] = {SourceState::kPermissionDenied,
                                         "run as root (sudo): /var/run/charon.vici is not "
                                         "accessible (EACCES)"};
               s.ipsec_connections.clear();
               s.ike_sas.clear();
             },
             false, "ipsec.daemon.unreachable", Severity::kUnknown,
             "strongSwan's VICI socket is not accessible to this user: IPsec could not be checked",
             "edge-test"},
        Case{"CharonHangs",
             [](Snapshot& s, Snapshot&) {
               s.sources[kSourceVici] = {SourceState::kUnavailable,
                                         "charon did not answer in time: timeout"};
               s.ipsec_connections.clear();
               s.ike_sas.clear();
               s.xfrm_states.clear();
               s.xfrm_policies.clear();
             },
             false, "ipsec.daemon.unreachable", Severity::kWarning,
             "strongSwan's VICI socket exists but charon does not answer: it crashed or hangs",
             "edge-test"},
        Case{"NoIpsecHereAtAll",
             [](Snapshot& s, Snapshot&) {
               s.sources[kSourceVici] = {SourceState::kUnavailable,
                                         "strongSwan not running: no VICI socket at "
                                         "/var/run/charon.vici"};
               s.ipsec_connections.clear();
               s.ike_sas.clear();
               s.xfrm_states.clear();
               s.xfrm_policies.clear();
             },
             false, "ipsec.daemon.unreachable", Severity::kInfo,
             "strongSwan is not running and the kernel holds no IPsec state: IPsec is not in use "
             "here",
             "edge-test"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(IpsecRules, SnatOutranksTheOneWaySymptom) {
  Snapshot now = HealthyIpsec(), prev = PreviousIpsec();
  now.nat_rules.erase(now.nat_rules.begin());
  ChildSa& c = now.ike_sas[0].child_sas[0];
  c.bytes_out = prev.ike_sas[0].child_sas[0].bytes_out;
  c.packets_out = prev.ike_sas[0].child_sas[0].packets_out;
  Report r = Diagnose(now, &prev);
  const SubjectReport* s = FindSubject(r, "site-b");
  ASSERT_NE(s, nullptr);
  ASSERT_EQ(s->findings.size(), 2u);
  EXPECT_EQ(s->findings[0].id, "ipsec.nat.snat-before-policy");
  EXPECT_EQ(s->findings[1].id, "ipsec.traffic.one-way");
  EXPECT_EQ(s->findings[1].message,
            "CHILD SA site-b-tunnel-0 received 50 packets in 30 s and sent none: the replies do "
            "not leave through the tunnel");
}

TEST(IpsecRules, SnatRemedyGivesTheVyosExcludeRuleBelowTheMasquerade) {
  Snapshot s = HealthyIpsec();
  s.nat_rules.erase(s.nat_rules.begin());
  auto f = RunRule(CheckIpsecSnatBeforePolicy, s, nullptr);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_NE(f[0].remedy.find("`set nat source rule 99 destination address 10.2.0.0/16`"),
            std::string::npos)
      << f[0].remedy;
  EXPECT_NE(f[0].remedy.find("`set nat source rule 99 exclude`"), std::string::npos);
  EXPECT_NE(f[0].remedy.find("`nft insert rule ip vyos_nat POSTROUTING position 12 ip daddr "
                             "10.2.0.0/16 accept`"),
            std::string::npos);
  EXPECT_NE(f[0].remedy.find("rt ipsec exists accept"), std::string::npos);
}

// A comment whose number no VyOS rule can have (here past INT_MAX) used to
// throw out of the rule pool and take the whole report down.
TEST(IpsecRules, OddNatCommentNumberIsNotAVyosRule) {
  Snapshot s = HealthyIpsec();
  s.nat_rules.erase(s.nat_rules.begin());
  s.nat_rules[0].text = "oifname \"eth0\" ip saddr 10.1.1.0/24 masquerade comment \"SRC-NAT-99999999999\"";
  Family vpn[] = {Family::kIpsec, Family::kWireguard, Family::kNet};
  Report r = BuildReport("vpn", vpn, s, nullptr);
  const SubjectReport* sub = FindSubject(r, "site-b");
  ASSERT_NE(sub, nullptr);
  ASSERT_FALSE(sub->findings.empty());
  EXPECT_EQ(sub->findings[0].id, "ipsec.nat.snat-before-policy");
  EXPECT_NE(sub->findings[0].remedy.find("with N below the masquerade rule's number"),
            std::string::npos)
      << sub->findings[0].remedy;
}

// A rule that throws leaves its family's subjects unchecked, names itself,
// and every other rule's findings stand.
std::vector<Finding> Throws(const Facts&, const Snapshot&, const Snapshot*) {
  throw std::runtime_error("stoi");
}
std::vector<Finding> NoFault(const Facts&, const Snapshot&, const Snapshot*) { return {}; }

TEST(IpsecRules, ThrowingRuleMakesItsFamilyUncheckedAndTheRestStands) {
  Snapshot s = HealthyIpsec();
  const Rule rules[] = {{"ipsec.nat.snat-before-policy", Family::kIpsec, "test", Throws},
                        {"wg.mtu", Family::kWireguard, "test", NoFault}};
  Family vpn[] = {Family::kIpsec, Family::kWireguard, Family::kNet};
  Facts facts(s, vpn);
  Report r = BuildReport("vpn", vpn, facts, nullptr, {}, rules);
  const SubjectReport* sub = FindSubject(r, "site-b");
  ASSERT_NE(sub, nullptr);
  EXPECT_EQ(sub->verdict, Severity::kUnknown);
  ASSERT_EQ(sub->findings.size(), 1u);
  EXPECT_EQ(sub->findings[0].id, "ipsec.unchecked");
  EXPECT_EQ(sub->findings[0].message, "check ipsec.nat.snat-before-policy could not run: stoi");
  EXPECT_TRUE(r.notes.empty());

  // With no subject of that family, the report itself says so.
  Snapshot none = HealthyIpsec();
  none.ipsec_connections.clear();
  none.ike_sas.clear();
  Facts facts2(none, vpn);
  Report r2 = BuildReport("vpn", vpn, facts2, nullptr, {}, rules);
  ASSERT_EQ(r2.notes.size(), 1u);
  EXPECT_EQ(r2.notes[0], "check ipsec.nat.snat-before-policy could not run: stoi");
}

TEST(IpsecRules, SnatOnAnotherInterfaceDoesNotCatchTheTunnel) {
  Snapshot s = HealthyIpsec();
  s.nat_rules.erase(s.nat_rules.begin());
  s.nat_rules[0].oifname = "eth2";
  EXPECT_TRUE(RunRule(CheckIpsecSnatBeforePolicy, s, nullptr).empty());
  s.nat_rules[0].oifname = "eth*";  // nft wildcard
  EXPECT_EQ(RunRule(CheckIpsecSnatBeforePolicy, s, nullptr).size(), 1u);
}

TEST(IpsecRules, RekeyWithTrafficBothWaysIsNotOneWay) {
  Snapshot now = HealthyIpsec(), prev = PreviousIpsec();
  ChildSa& c = now.ike_sas[0].child_sas[0];
  c.uniqueid = 9, c.spi_in = "33333333", c.spi_out = "44444444";
  c.bytes_in = 3000, c.packets_in = 30, c.bytes_out = 4000, c.packets_out = 31;
  EXPECT_TRUE(RunRule(CheckIpsecTrafficOneWay, now, &prev).empty());
}

// Make-before-break reauthentication, one sample (a first `check`): the
// new IKE SA's CHILD SA is INSTALLED and sends, while the peer still sends
// on the old one (the old IKE SA, not yet deleted). The CHILD is not
// one-way: its SAs are judged together.
// The IKE SA that replaces s's first one in a make-before-break
// reauthentication, with its own CHILD SA (same name and reqid, new SPIs).
IkeSa Successor(const Snapshot& s) {
  IkeSa fresh = s.ike_sas[0];
  fresh.uniqueid = 2;
  ChildSa& n = fresh.child_sas[0];
  n.uniqueid = 2, n.spi_in = "55555555", n.spi_out = "66666666";
  return fresh;
}

TEST(IpsecRules, MakeBeforeBreakOverlapIsNotOneWayFromOneSample) {
  Snapshot s = HealthyIpsec();
  IkeSa fresh = Successor(s);
  ChildSa& n = fresh.child_sas[0];
  n.install_time = 12;
  n.bytes_in = 0, n.packets_in = 0, n.use_in.reset();
  n.bytes_out = 9000, n.packets_out = 20, n.use_out = 1;
  s.ike_sas.insert(s.ike_sas.begin(), fresh);  // charon lists the new one first
  EXPECT_TRUE(RunRule(CheckIpsecTrafficOneWay, s, nullptr).empty());
  // Alone, the same SA is one-way.
  s.ike_sas.pop_back();
  EXPECT_EQ(RunRule(CheckIpsecTrafficOneWay, s, nullptr).size(), 1u);
}

// The old SA charon still lists as INSTALLED while the kernel has already
// deleted it (the two are read side by side, not at one instant): its
// successor's states are there, and nothing is missing.
TEST(IpsecRules, SupersededSaGoneFromTheKernelIsNotMissing) {
  Snapshot s = HealthyIpsec();
  s.ike_sas.push_back(Successor(s));
  for (auto& x : s.xfrm_states) x.spi = x.spi == 0xc1a2b3d4 ? 0x55555555 : 0x66666666;
  EXPECT_TRUE(RunRule(CheckIpsecPolicyMissing, s, nullptr).empty());
  // Without the successor the same gap is critical.
  s.ike_sas.pop_back();
  auto f = RunRule(CheckIpsecPolicyMissing, s, nullptr);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].severity, Severity::kCritical);
}

TEST(IpsecRules, RekeyOverlapIsNotADuplicate) {
  Snapshot s = HealthyIpsec();
  IkeSa old = s.ike_sas[0];
  old.uniqueid = 0;
  old.state = "REKEYING";
  s.ike_sas.push_back(old);
  EXPECT_TRUE(RunRule(CheckIpsecIkeDuplicate, s, nullptr).empty());
}

TEST(IpsecRules, IdleTunnelIsNotOneWay) {
  Snapshot now = HealthyIpsec(), prev = HealthyIpsec();
  prev.taken_at_ms -= 30000;
  now.ike_sas[0].child_sas[0].use_in = 900;
  now.ike_sas[0].child_sas[0].use_out = 900;
  EXPECT_TRUE(RunRule(CheckIpsecTrafficOneWay, now, &prev).empty());
  EXPECT_TRUE(RunRule(CheckIpsecTrafficOneWay, now, nullptr).empty());
}

TEST(IpsecRules, DaemonInfoHasNoOkBesideIt) {
  Snapshot s = HealthyIpsec();
  s.sources[kSourceVici] = {SourceState::kUnavailable, "strongSwan not running: no VICI socket"};
  s.ipsec_connections.clear();
  s.ike_sas.clear();
  s.xfrm_states.clear();
  s.xfrm_policies.clear();
  Report r = Diagnose(s, nullptr);
  ASSERT_EQ(r.subjects.size(), 1u);
  EXPECT_EQ(r.subjects[0].subject.kind, SubjectKind::kHost);
  EXPECT_EQ(r.subjects[0].verdict, Severity::kOk);
  ASSERT_EQ(r.subjects[0].findings.size(), 1u);
}

TEST(IpsecRules, RemediesNameVyosAndLinuxCommands) {
  Snapshot s = HealthyIpsec();
  s.ike_sas.clear();
  auto f = RunRule(CheckIpsecIkeDown, s, nullptr);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_NE(f[0].remedy.find("`reset vpn ipsec site-to-site peer site-b`"), std::string::npos);
  EXPECT_NE(f[0].remedy.find("`swanctl --initiate --child site-b-tunnel-0`"), std::string::npos);
  EXPECT_NE(f[0].remedy.find("`show vpn ipsec sa`"), std::string::npos);
  EXPECT_NE(f[0].remedy.find("`swanctl --list-sas --ike site-b`"), std::string::npos);
}

TEST(IpsecRules, EveryRuleIsRegisteredOnceWithItsId) {
  std::set<std::string> ids;
  for (const auto& r : IpsecRules()) {
    EXPECT_EQ(r.family, Family::kIpsec);
    EXPECT_TRUE(ids.insert(std::string(r.id)).second) << r.id;
  }
  EXPECT_EQ(ids.size(), 14u);  // with ipsec.probe.no-reply, ipsec.ike.flapping, ipsec.ts.narrowed
}

}  // namespace
}  // namespace edgediag::plugin

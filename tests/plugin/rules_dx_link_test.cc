// Table-driven tests of the layer-2/3 DX rules: each case breaks the healthy
// fixture in one way and names the finding that must come first.
#include <gtest/gtest.h>

#include <functional>

#include "plugin/dx_rules.h"
#include "plugin/report.h"
#include "tests/support/dx_fixture.h"
#include "tests/support/golden.h"
#include "tests/support/run_rule.h"

namespace edgediag::plugin {
namespace {

using testing::RunRule;

using testing::HealthyDx;
using testing::Iface;

struct Case {
  const char* name;
  std::function<void(Snapshot&)> fault;
  const char* first_id;
  Severity severity;
  const char* message;  ///< the first finding's exact message
};

Report Diagnose(const Snapshot& s) {
  Family dx[] = {Family::kDx};
  return BuildReport("dx", dx, s, nullptr);
}

class DxLinkRules : public ::testing::TestWithParam<Case> {};

TEST_P(DxLinkRules, FirstFindingNamesTheInjectedCause) {
  Snapshot s = HealthyDx();
  GetParam().fault(s);
  testing::RecordGoldenInput(std::string("dx-link-") + GetParam().name, s, nullptr);
  Report r = Diagnose(s);
  ASSERT_EQ(r.subjects.size(), 1u);
  ASSERT_FALSE(r.subjects[0].findings.empty());
  const Finding& f = r.subjects[0].findings[0];
  EXPECT_EQ(f.id, GetParam().first_id);
  EXPECT_EQ(f.severity, GetParam().severity);
  EXPECT_EQ(f.message, GetParam().message);
  EXPECT_EQ(r.subjects[0].subject.id, "dxvif-test1");
}

void MoveAddressTo(Snapshot& s, const char* ifname, int ifindex) {
  s.addresses[0].ifname = ifname;
  s.addresses[0].ifindex = ifindex;
  s.neighbours[0].ifname = ifname;
  s.neighbours[0].ifindex = ifindex;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, DxLinkRules,
    ::testing::Values(
        Case{"Healthy", [](Snapshot&) {}, "dx.ok", Severity::kOk,
             "BGP is Established and the router matches the VIF"},
        Case{"VlanMismatch",
             [](Snapshot& s) {
               Iface(s, "eth1.101").vlan_id = 102;
               Iface(s, "eth1.101").name = "eth1.102";
               s.addresses[0].ifname = "eth1.102";
               s.neighbours[0].state = "FAILED";
               s.bgp_neighbors[0].bgpState = "Active";
             },
             "dx.vlan.mismatch", Severity::kCritical,
             "the peering address sits on eth1.102 tagged VLAN 102, but the VIF uses VLAN 101"},
        Case{"Untagged",
             [](Snapshot& s) {
               MoveAddressTo(s, "eth1", 3);
               s.neighbours[0].state = "INCOMPLETE";
             },
             "dx.vlan.untagged", Severity::kCritical,
             "the peering address 169.254.10.2/30 is on the untagged port eth1, but AWS sends the "
             "VIF on 802.1Q VLAN 101"},
        Case{"Dot1ad",
             [](Snapshot& s) { Iface(s, "eth1.101").vlan_protocol = 0x88a8; },
             "dx.vlan.qinq", Severity::kCritical,
             "frames toward the VIF leave eth1.101 double-tagged or 802.1ad-tagged; AWS Direct "
             "Connect accepts a single 802.1Q tag only"},
        Case{"Stacked",
             [](Snapshot& s) {
               s.interfaces.push_back({.name = "eth1.300", .ifindex = 8, .kind = "vlan", .link = 3,
                                       .vlan_id = 300, .vlan_protocol = 0x88a8, .mtu = 1500,
                                       .admin_up = true, .carrier = true});
               Iface(s, "eth1.101").link = 8;
             },
             "dx.vlan.qinq", Severity::kCritical,
             "frames toward the VIF leave eth1.101 double-tagged or 802.1ad-tagged; AWS Direct "
             "Connect accepts a single 802.1Q tag only"},
        Case{"WrongAddress",
             [](Snapshot& s) { s.addresses[0].address = "169.254.10.3"; },
             "dx.ip.wrong-address", Severity::kCritical,
             "eth1.101 holds 169.254.10.3/30, not the VIF's customer address 169.254.10.2/30"},
        Case{"WrongPrefixUnreachable",
             [](Snapshot& s) { s.addresses[0].prefixlen = 31; },
             "dx.ip.wrong-prefix", Severity::kCritical,
             "eth1.101 has the right address with prefix length /31, the VIF uses /30: "
             "169.254.10.1 is outside the router's subnet"},
        Case{"Swapped",
             [](Snapshot& s) { s.addresses[0].address = "169.254.10.1"; },
             "dx.ip.swapped", Severity::kCritical,
             "eth1.101 holds the Amazon address 169.254.10.1: customer and Amazon addresses are "
             "swapped"},
        Case{"Missing",
             [](Snapshot& s) { s.addresses.clear(); },
             "dx.ip.missing", Severity::kCritical,
             "no address of the VIF's peer subnet on eth1.101 (VLAN 101)"},
        Case{"CarrierTranslatesTheTag",
             [](Snapshot& s) {
               s.neighbours[0].state = "FAILED";
               s.bgp_neighbors[0].bgpState = "Active";
             },
             "dx.arp.unresolved", Severity::kCritical,
             "ARP for the Amazon peer 169.254.10.1 does not resolve on eth1.101; the router's VLAN "
             "and address match the VIF, so the frames are lost beyond it"},
        Case{"NoCarrier",
             [](Snapshot& s) {
               Iface(s, "eth1").carrier = false;
               Iface(s, "eth1.101").carrier = false;
               s.neighbours[0].state = "FAILED";
             },
             "dx.link.down", Severity::kCritical,
             "eth1.101 has no carrier: the cross-connect is not lit or not plugged in here"},
        Case{"AdminDown",
             [](Snapshot& s) { Iface(s, "eth1").admin_up = false; },
             "dx.link.down", Severity::kCritical, "eth1 is administratively down"},
        Case{"Shared",
             [](Snapshot& s) {
               s.addresses.push_back({.ifname = "eth1.101", .ifindex = 7, .family = 4,
                                      .address = "10.20.0.1", .prefixlen = 24});
             },
             "dx.vlan.shared", Severity::kWarning,
             "eth1.101 carries other networks besides the VIF's peering"},
        Case{"KernelUnavailable",
             [](Snapshot& s) {
               s.sources[kSourceKernel] = {SourceState::kPermissionDenied, "netlink: EPERM"};
             },
             "dx.unchecked", Severity::kUnknown,
             "could not be checked: kernel source permission-denied (netlink: EPERM)"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(DxLinkRules, VlanMismatchOutranksTheArpSymptom) {
  Snapshot s = HealthyDx();
  Iface(s, "eth1.101").vlan_id = 102;
  s.neighbours[0].state = "FAILED";
  Report r = Diagnose(s);
  ASSERT_GE(r.subjects[0].findings.size(), 2u);
  EXPECT_EQ(r.subjects[0].findings[0].id, "dx.vlan.mismatch");
  EXPECT_EQ(r.subjects[0].findings[1].id, "dx.arp.unresolved");
}

TEST(DxLinkRules, WrongPrefixThatStillReachesThePeerIsAWarning) {
  Snapshot s = HealthyDx();
  s.addresses[0].prefixlen = 29;
  auto f = RunRule(CheckIp, s, nullptr);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].severity, Severity::kWarning);
}

TEST(DxLinkRules, Ipv6PeeringOnA125IsMatched) {
  Snapshot s = HealthyDx();
  s.vifs[0].bgpPeers.push_back({.asn = 65010, .addressFamily = "ipv6",
                                .amazonAddress = "2001:db8::1/125",
                                .customerAddress = "2001:db8::6/125"});
  s.addresses.push_back({.ifname = "eth1.101", .ifindex = 7, .family = 6, .address = "2001:db8::5",
                         .prefixlen = 125});
  auto f = RunRule(CheckIp, s, nullptr);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].message,
            "eth1.101 holds 2001:db8::5/125, not the VIF's customer address 2001:db8::6/125");
}

TEST(DxLinkRules, ThirtyOnePeeringIsExact) {
  Snapshot s = HealthyDx();
  s.vifs[0].amazonAddress = "169.254.10.1/31";
  s.vifs[0].customerAddress = "169.254.10.0/31";
  s.addresses[0].address = "169.254.10.0";
  s.addresses[0].prefixlen = 31;
  Report r = Diagnose(s);
  EXPECT_EQ(r.subjects[0].findings[0].id, "dx.ok");
}

TEST(DxLinkRules, ZeroConfigDiscoversLinkLocalPeersAndSkipsVifOnlyChecks) {
  Snapshot s = HealthyDx();
  s.vifs.clear();
  Iface(s, "eth1.101").vlan_protocol = 0x88a8;
  Report r = Diagnose(s);
  ASSERT_EQ(r.subjects.size(), 1u);
  EXPECT_EQ(r.subjects[0].subject.id, "169.254.10.1");
  EXPECT_EQ(r.subjects[0].findings[0].id, "dx.vlan.qinq");
}

TEST(DxLinkRules, PeerFilterFindsTheIpv6PeeringOfADualStackVif) {
  Snapshot s = HealthyDx();
  s.vifs[0].bgpPeers.push_back({.asn = 65010, .addressFamily = "ipv6",
                                .amazonAddress = "2001:db8::1/125",
                                .customerAddress = "2001:db8::6/125"});
  s.addresses.push_back({.ifname = "eth1.101", .ifindex = 7, .family = 6, .address = "2001:db8::6",
                         .prefixlen = 125});
  Family dx[] = {Family::kDx};
  Report r = BuildReport("dx", dx, s, nullptr, {.peer = "2001:db8::1"});
  ASSERT_EQ(r.subjects.size(), 1u);
  EXPECT_EQ(r.subjects[0].subject.id, "dxvif-test1");
  EXPECT_TRUE(BuildReport("dx", dx, s, nullptr, {.peer = "2001:db8::9"}).subjects.empty());
}

// A failed address dump is that dump's failure: the peering is unchecked,
// not "no address", and the kernel's other state still counts.
TEST(DxLinkRules, FailedAddressDumpLeavesThePeeringUncheckedNotMissing) {
  Snapshot s = HealthyDx();
  s.addresses.clear();
  s.sources[kSourceAddresses] = {SourceState::kUnavailable, "RTM_GETADDR: interrupted"};
  s.bgp_neighbors[0].bgpState = "Established";
  Family dx[] = {Family::kDx};
  Report r = BuildReport("dx", dx, s, nullptr);
  ASSERT_EQ(r.subjects.size(), 1u);
  for (const auto& f : r.subjects[0].findings) EXPECT_NE(f.id.rfind("dx.ip.", 0), 0u) << f.id;
  EXPECT_EQ(r.subjects[0].findings.at(0).id, "dx.unchecked");
  EXPECT_EQ(r.subjects[0].findings[0].message,
            "could not be checked: addresses source unavailable (RTM_GETADDR: interrupted)");
}

TEST(DxLinkRules, VifFileReadableByEveryoneIsAWarning) {
  Snapshot s = HealthyDx();
  s.vifs[0].source = "/config/edgediag/vifs.d/all.json";
  s.vifs[0].source_mode = 0640;  // group vyattacfg on VyOS: fine
  EXPECT_TRUE(RunRule(CheckVifReadable, s, nullptr).empty());
  s.vifs[0].source_mode = 0644;
  auto f = RunRule(CheckVifReadable, s, nullptr);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].severity, Severity::kWarning);
  EXPECT_EQ(f[0].message, "/config/edgediag/vifs.d/all.json is readable by every user, and it "
                          "holds the VIF's BGP MD5 key");
  EXPECT_EQ(f[0].evidence[0].observed, "0644");
  // A healthy session stays healthy first: the warning is not its cause.
  Family dx[] = {Family::kDx};
  Report r = BuildReport("dx", dx, s, nullptr);
  EXPECT_EQ(r.subjects.at(0).verdict, Severity::kWarning);
}

TEST(DxLinkRules, RemediesNameVyosAndLinuxCommands) {
  Snapshot s = HealthyDx();
  Iface(s, "eth1.101").vlan_id = 102;
  auto f = RunRule(CheckVlanMismatch, s, nullptr);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_NE(f[0].remedy.find("show interfaces ethernet eth1 vif 101"), std::string::npos);
  EXPECT_NE(f[0].remedy.find("ip -d link show dev eth1.101"), std::string::npos);
}

}  // namespace
}  // namespace edgediag::plugin

// "Established but still broken": policy, routes each way, the prefix limit
// and its 80 % warning, unapproved prefixes on public VIFs, routes learnt
// but not installed, and strict rp_filter on a VIF.
#include <gtest/gtest.h>

#include "plugin/dx_rules.h"
#include "plugin/report.h"
#include "plugin/wg_rules.h"
#include "tests/support/dx_fixture.h"
#include "tests/support/run_rule.h"

namespace edgediag::plugin {
namespace {

using testing::HealthyDx;
using testing::RunRule;

// HealthyDx with FRR's per-family view: AWS's 10.2.0.0/16 accepted and
// installed via the VIF, three prefixes sent, up for ten minutes.
Snapshot Healthy() {
  Snapshot s = HealthyDx();
  s.sources[kSourceRoutes] = {SourceState::kOk, ""};
  BgpNeighbor& b = s.bgp_neighbors[0];
  b.bgpTimerUpMsec = 600'000;
  b.updatesRecv = 2;
  BgpAddressFamily af{.afi = "ipv4Unicast", .acceptedPrefixCounter = 1, .sentPrefixCounter = 3};
  af.bestRoutes = std::vector<BgpRoute>{{"10.2.0.0/16", "169.254.10.1"}};
  b.addressFamilyInfo.push_back(af);
  s.routes.push_back({.dst = "169.254.10.0/30", .dev = "eth1.101", .ifindex = 7,
                      .protocol = "kernel"});
  s.routes.push_back({.dst = "10.2.0.0/16", .gateway = "169.254.10.1", .dev = "eth1.101",
                      .ifindex = 7, .protocol = "bgp", .metric = 20});
  s.routes.push_back({.dst = "0.0.0.0/0", .gateway = "192.0.2.1", .dev = "eth0", .ifindex = 2,
                      .protocol = "static"});
  return s;
}

BgpAddressFamily& Af(Snapshot& s) { return s.bgp_neighbors[0].addressFamilyInfo[0]; }

Report Dx(const Snapshot& s) {
  Family dx[] = {Family::kDx, Family::kNet};
  return BuildReport("dx", dx, s, nullptr);
}

const Finding& First(const Report& r) { return r.subjects.at(0).findings.at(0); }

TEST(DxRoutes, HealthySessionIsStillOk) {
  Report r = Dx(Healthy());
  EXPECT_EQ(First(r).id, "dx.ok");
  for (const auto& f : r.subjects[0].findings) EXPECT_LE(f.severity, Severity::kInfo) << f.id;
}

TEST(DxRoutes, PolicyRequiredIsTheCauseOfNothingEitherWay) {
  Snapshot s = Healthy();
  Af(s).acceptedPrefixCounter = 0;
  Af(s).sentPrefixCounter = 0;
  Af(s).inboundEbgpRequiresPolicy = Af(s).outboundEbgpRequiresPolicy = true;
  Report r = Dx(s);
  const Finding& f = First(r);
  EXPECT_EQ(f.id, "dx.bgp.policy-required");
  EXPECT_EQ(f.severity, Severity::kCritical);
  EXPECT_EQ(f.message,
            "the IPv4 session with 169.254.10.1 is Established but accepts nothing and sends "
            "nothing: FRR's ebgp-requires-policy is on and the neighbour has no inbound or outbound "
            "policy (\"(Policy)\" in `show bgp summary`)");
  EXPECT_EQ(f.evidence.at(0).what, "IPv4 unicast inboundEbgpRequiresPolicy");
  // The symptoms it explains are not reported beside it.
  for (const auto& g : r.subjects[0].findings) {
    EXPECT_NE(g.id, "dx.bgp.no-routes-received");
    EXPECT_NE(g.id, "dx.bgp.no-routes-advertised");
  }
}

TEST(DxRoutes, NothingFromAwsNamesTheConsoleAndTheGateway) {
  Snapshot s = Healthy();
  Af(s).acceptedPrefixCounter = 0;
  Af(s).bestRoutes = std::vector<BgpRoute>{};
  Report r = Dx(s);
  const Finding& f = First(r);
  EXPECT_EQ(f.id, "dx.bgp.no-routes-received");
  EXPECT_EQ(f.severity, Severity::kCritical);
  EXPECT_EQ(f.message,
            "the IPv4 session with 169.254.10.1 is Established for 10m 0s but AWS's routes: 0 "
            "accepted: AWS announces nothing on this VIF");
  EXPECT_EQ(f.evidence.at(0).observed, "0");
  EXPECT_EQ(f.evidence.at(2).observed, "10m 0s");
  // The fixture's VIF names no gateway: said as evidence.
  EXPECT_EQ(f.evidence.back().what, "VIF's gateway");
  EXPECT_NE(f.remedy.find("virtual private gateway"), std::string::npos);
}

TEST(DxRoutes, NothingFromAwsWaitsForTheSessionToSettle) {
  Snapshot s = Healthy();
  Af(s).acceptedPrefixCounter = 0;
  s.bgp_neighbors[0].bgpTimerUpMsec = 5'000;
  EXPECT_TRUE(RunRule(CheckBgpNoRoutesReceived, s, nullptr).empty());
}

TEST(DxRoutes, NothingSentNamesTheOutboundPolicy) {
  Snapshot s = Healthy();
  Af(s).sentPrefixCounter = 0;
  Af(s).routeMapForOutgoingAdvertisements = "AWS-OUT";
  Af(s).outgoingUpdatePrefixFilterList = "MY-NETS";
  Report r = Dx(s);
  const Finding& f = First(r);
  EXPECT_EQ(f.id, "dx.bgp.no-routes-advertised");
  EXPECT_EQ(f.message,
            "the IPv4 session with 169.254.10.1 is Established but the router advertises nothing "
            "to AWS: the outbound policy (route-map AWS-OUT, prefix-list MY-NETS) lets nothing "
            "through");
  EXPECT_EQ(f.evidence.at(1).observed, "route-map AWS-OUT, prefix-list MY-NETS");
}

TEST(DxRoutes, NothingSentWithoutPolicyMeansNoNetworkStatement) {
  Snapshot s = Healthy();
  Af(s).sentPrefixCounter = 0;
  auto f = RunRule(CheckBgpNoRoutesAdvertised, s, nullptr);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_NE(f[0].message.find("no network or redistribute statement"), std::string::npos);
}

TEST(DxRoutes, PrefixLimitWarnsAtEightyPercentOfTheDefault) {
  Snapshot s = Healthy();
  Af(s).sentPrefixCounter = 80;
  Report r = Dx(s);
  const Finding& f = First(r);
  EXPECT_EQ(f.id, "dx.bgp.prefix-limit");
  EXPECT_EQ(f.severity, Severity::kWarning);
  EXPECT_EQ(f.message,
            "the router advertises 80 IPv4 prefixes, 80 % of the limit of 100: a few more and AWS "
            "takes the session down");
  EXPECT_EQ(f.evidence.at(1).observed, "100");
  EXPECT_EQ(f.evidence.at(1).expected, "from AWS's default for a private or transit VIF");
  Af(s).sentPrefixCounter = 79;
  EXPECT_TRUE(RunRule(CheckBgpPrefixLimit, s, nullptr).empty());
}

TEST(DxRoutes, PrefixLimitOverOfThePublicDefaultIsCritical) {
  Snapshot s = Healthy();
  s.vifs[0].virtualInterfaceType = "public";
  Af(s).sentPrefixCounter = 999;
  EXPECT_EQ(RunRule(CheckBgpPrefixLimit, s, nullptr).at(0).severity, Severity::kWarning);
  Af(s).sentPrefixCounter = 1001;
  auto f = RunRule(CheckBgpPrefixLimit, s, nullptr);
  EXPECT_EQ(f.at(0).severity, Severity::kCritical);
  EXPECT_EQ(f[0].message,
            "the router advertises 1001 IPv4 prefixes; AWS takes the session down above 1000 per "
            "address family on this public VIF");
}

TEST(DxRoutes, PrefixLimitFromTheOperatorSaysWhere) {
  Snapshot s = Healthy();
  Af(s).sentPrefixCounter = 150;
  s.vifs[0].prefix_limit = 250;
  s.vifs[0].prefix_limit_source = "/config/edgediag/edgediag.conf";
  EXPECT_TRUE(RunRule(CheckBgpPrefixLimit, s, nullptr).empty());
  Af(s).sentPrefixCounter = 210;
  auto f = RunRule(CheckBgpPrefixLimit, s, nullptr);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].evidence.at(1).observed, "250");
  EXPECT_EQ(f[0].evidence.at(1).expected,
            "from the operator's configuration /config/edgediag/edgediag.conf");
  s.vifs[0].prefix_limit_source = "--prefix-limit";
  EXPECT_EQ(RunRule(CheckBgpPrefixLimit, s, nullptr).at(0).evidence.at(1).expected,
            "from --prefix-limit");
}

TEST(DxRoutes, PrefixLimitIsPerAddressFamily) {
  Snapshot s = Healthy();
  Af(s).sentPrefixCounter = 60;
  BgpAddressFamily v6{.afi = "ipv6Unicast", .acceptedPrefixCounter = 1, .sentPrefixCounter = 60};
  s.bgp_neighbors[0].addressFamilyInfo.push_back(v6);
  // 120 in all, but 60 per family: within the limit.
  EXPECT_TRUE(RunRule(CheckBgpPrefixLimit, s, nullptr).empty());
}

Snapshot PublicVif() {
  Snapshot s = Healthy();
  s.vifs[0].virtualInterfaceType = "public";
  s.vifs[0].routeFilterPrefixes = {"203.0.113.0/24", "198.51.100.0/23"};
  Af(s).advertisedRoutes = std::vector<std::string>{"203.0.113.0/24", "198.51.100.128/25"};
  return s;
}

TEST(DxRoutes, ApprovedPrefixesAndMoreSpecificsPass) {
  EXPECT_TRUE(RunRule(CheckBgpUnapprovedPrefix, PublicVif(), nullptr).empty());
}

TEST(DxRoutes, UnapprovedPrefixOnAPublicVifIsListed) {
  Snapshot s = PublicVif();
  Af(s).advertisedRoutes->push_back("192.0.2.0/24");
  auto f = RunRule(CheckBgpUnapprovedPrefix, s, nullptr);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].severity, Severity::kWarning);
  EXPECT_EQ(f[0].message,
            "1 of the 3 prefixes sent on this public VIF is outside its approved list "
            "(routeFilterPrefixes): AWS ignores them, so their return traffic does not come this "
            "way");
  EXPECT_EQ(f[0].evidence.at(0).observed, "192.0.2.0/24");
}

TEST(DxRoutes, OnlyUnapprovedPrefixesIsCritical) {
  Snapshot s = PublicVif();
  Af(s).advertisedRoutes = std::vector<std::string>{"192.0.2.0/24"};
  EXPECT_EQ(RunRule(CheckBgpUnapprovedPrefix, s, nullptr).at(0).severity, Severity::kCritical);
  // Private VIFs have no approved list.
  s.vifs[0].virtualInterfaceType = "private";
  EXPECT_TRUE(RunRule(CheckBgpUnapprovedPrefix, s, nullptr).empty());
}

TEST(DxRoutes, RouteLearntButNotInTheKernel) {
  Snapshot s = Healthy();
  s.routes.erase(s.routes.begin() + 1);  // zebra did not install 10.2.0.0/16
  Report r = Dx(s);
  const Finding& f = First(r);
  EXPECT_EQ(f.id, "dx.route.not-installed");
  EXPECT_EQ(f.severity, Severity::kCritical);
  EXPECT_EQ(f.message,
            "1 of 1 prefixes learnt from AWS over the IPv4 session with 169.254.10.1 is not in the "
            "kernel's table 254: traffic to them does not take the VIF");
  EXPECT_EQ(f.evidence.at(0).observed,
            "10.2.0.0/16 via 169.254.10.1: kernel table 254 has 0.0.0.0/0 via 192.0.2.1 dev eth0 "
            "proto static (a shorter prefix)");
  EXPECT_EQ(f.evidence.at(0).expected, "via 169.254.10.1 dev eth1.101");
}

TEST(DxRoutes, ASessionJustUpMayNotHaveItsRoutesInstalledYet) {
  Snapshot s = Healthy();
  s.routes.erase(s.routes.begin() + 1);
  s.bgp_neighbors[0].bgpTimerUpMsec = 4'000;  // zebra may still be installing
  EXPECT_TRUE(RunRule(CheckRouteNotInstalled, s, nullptr).empty());
  s.bgp_neighbors[0].bgpTimerUpMsec = 45'000;
  ASSERT_EQ(RunRule(CheckRouteNotInstalled, s, nullptr).size(), 1u);
  // A route that wins over BGP's is no race: named at once.
  s.routes.insert(s.routes.begin() + 1, {.dst = "10.2.0.0/16", .gateway = "192.0.2.9", .dev = "eth0",
                                          .ifindex = 2, .protocol = "static"});
  s.bgp_neighbors[0].bgpTimerUpMsec = 4'000;
  auto f = RunRule(CheckRouteNotInstalled, s, nullptr);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].severity, Severity::kWarning);
}

TEST(DxRoutes, RouteShadowedByAStaticOne) {
  Snapshot s = Healthy();
  s.routes[1] = {.dst = "10.2.0.0/16", .gateway = "192.0.2.9", .dev = "eth0", .ifindex = 2,
                 .protocol = "static"};
  auto f = RunRule(CheckRouteNotInstalled, s, nullptr);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].severity, Severity::kWarning);
  EXPECT_EQ(f[0].evidence.at(0).observed,
            "10.2.0.0/16 via 169.254.10.1: kernel table 254 has 10.2.0.0/16 via 192.0.2.9 dev eth0 "
            "proto static");
}

TEST(DxRoutes, InAVrfTheVrfsTableIsTheOneThatCounts) {
  Snapshot s = Healthy();
  s.routes[0].table = 100;  // eth1.101 is in a VRF with table 100
  auto f = RunRule(CheckRouteNotInstalled, s, nullptr);
  ASSERT_EQ(f.size(), 1u);  // installed in main, not in the VRF's table
  EXPECT_NE(f[0].message.find("table 100"), std::string::npos);
  s.routes[1].table = 100;
  EXPECT_TRUE(RunRule(CheckRouteNotInstalled, s, nullptr).empty());
}

TEST(DxRoutes, StrictRpFilterOnTheVifWithTheRouteBackElsewhere) {
  Snapshot s = Healthy();
  testing::Iface(s, "eth1.101").rp_filter = 1;
  EXPECT_TRUE(RunRule(CheckNetRpFilterStrict, s, nullptr).empty());  // routes back via the VIF
  s.routes[1] = {.dst = "10.2.0.0/16", .gateway = "192.0.2.9", .dev = "eth0", .ifindex = 2,
                 .protocol = "static"};
  auto f = RunRule(CheckNetRpFilterStrict, s, nullptr);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].subject.id, "dxvif-test1");
  EXPECT_EQ(f[0].message,
            "strict reverse-path filtering on eth1.101 drops packets from AWS's networks whose "
            "route back leaves another way: 10.2.0.0/16 returns via eth0");
  EXPECT_NE(f[0].remedy.find("set interfaces ethernet eth1 vif 101 ip source-validation loose"),
            std::string::npos);
  // A session up for seconds whose route is not installed yet: it waits.
  s.routes.erase(s.routes.begin() + 1);
  EXPECT_EQ(RunRule(CheckNetRpFilterStrict, s, nullptr).size(), 1u);  // settled: named
  s.bgp_neighbors[0].bgpTimerUpMsec = 4'000;
  EXPECT_TRUE(RunRule(CheckNetRpFilterStrict, s, nullptr).empty());
  // A route of its own in another table (a VRF's) is no race: named at once.
  s.routes.push_back({.dst = "10.2.0.0/16", .gateway = "192.0.2.9", .dev = "eth0", .ifindex = 2,
                      .table = 100, .protocol = "static"});
  EXPECT_EQ(RunRule(CheckNetRpFilterStrict, s, nullptr).size(), 1u);
  s.routes.pop_back();
  s.bgp_neighbors[0].bgpTimerUpMsec = std::nullopt;
  s.routes.insert(s.routes.begin() + 1, {.dst = "10.2.0.0/16", .gateway = "192.0.2.9", .dev = "eth0",
                                          .ifindex = 2, .protocol = "static"});
  // And dx runs it: it is in the VIF's report.
  Report r = Dx(s);
  bool seen = false;
  for (const auto& g : r.subjects.at(0).findings) seen |= g.id == "net.rp-filter.strict";
  EXPECT_TRUE(seen);
}

}  // namespace
}  // namespace edgediag::plugin

namespace edgediag::plugin {
namespace {

// FRR lists (and sends) AWS's own routes back to it: not the operator's
// prefixes, and AWS drops them for the AS-path loop anyway.
TEST(DxRoutes, AwsOwnRoutesSentBackAreNotUnapproved) {
  Snapshot s = HealthyDx();
  s.vifs[0].virtualInterfaceType = "public";
  s.vifs[0].routeFilterPrefixes = {"203.0.113.0/24"};
  BgpAddressFamily af{.afi = "ipv4Unicast", .acceptedPrefixCounter = 1, .sentPrefixCounter = 2};
  af.bestRoutes = std::vector<BgpRoute>{{"52.95.0.0/16", "169.254.10.1"}};
  af.advertisedRoutes = std::vector<std::string>{"52.95.0.0/16", "203.0.113.0/24"};
  s.bgp_neighbors[0].addressFamilyInfo.push_back(af);
  EXPECT_TRUE(testing::RunRule(CheckBgpUnapprovedPrefix, s, nullptr).empty());
}

}  // namespace
}  // namespace edgediag::plugin

namespace edgediag::plugin {
namespace {

// FRR's count is AWS's own route sent back; nothing of the router's own.
TEST(DxRoutes, NothingSentOfOurOwnThoughFrrCountsAwsRoutesBack) {
  Snapshot s = Healthy();
  Af(s).sentPrefixCounter = 1;
  Af(s).advertisedRoutes = std::vector<std::string>{};
  auto f = RunRule(CheckBgpNoRoutesAdvertised, s, nullptr);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].evidence.at(0).observed,
            "0 of the router's own (FRR counts 1: AWS's routes sent back to it, which AWS drops)");
}

}  // namespace
}  // namespace edgediag::plugin

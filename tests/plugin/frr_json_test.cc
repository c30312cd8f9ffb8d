// FRR 8.4's own output, recorded in a lab (two bgpd in network namespaces).
#include "plugin/frr_json.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace edgediag::plugin {
namespace {

std::string Fixture(const char* name) {
  std::ifstream in(std::string(EDGEDIAG_TESTDATA "/frr/") + name);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(FrrJson, ReadsAnEstablishedSession) {
  auto r = ParseFrrNeighbors(Fixture("established.json"));
  ASSERT_TRUE(r.ok()) << r.error().what;
  ASSERT_EQ(r->size(), 1u);
  const BgpNeighbor& b = (*r)[0];
  EXPECT_EQ(b.address, "169.254.10.1");
  EXPECT_EQ(b.vrf, "default");
  EXPECT_EQ(b.bgpState, "Established");
  EXPECT_EQ(b.localAs, 65010u);
  EXPECT_EQ(b.remoteAs, 64512u);
  EXPECT_EQ(b.hostLocal, "169.254.10.2");
  EXPECT_EQ(b.portForeign, 179);
  EXPECT_TRUE(b.passwordConfigured);
  EXPECT_FALSE(b.ebgpMultihop.has_value());
  EXPECT_EQ(b.prefixesSent, 0u);
  EXPECT_GT(b.opensSent, 0u);
}

TEST(FrrJson, ReadsTheBadPeerAsNotification) {
  auto r = ParseFrrNeighbors(Fixture("remote-as-mismatch.json"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)[0].remoteAs, 64999u);
  EXPECT_EQ((*r)[0].lastErrorCodeSubcode, "0202");
  EXPECT_EQ((*r)[0].lastNotificationReason, "OPEN Message Error/Bad Peer AS");
}

TEST(FrrJson, ReadsAnMd5MismatchAsConnect) {
  auto r = ParseFrrNeighbors(Fixture("md5-mismatch.json"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)[0].bgpState, "Connect");
}

TEST(FrrJson, ReadsTheDefaultVrfForm) {
  auto r = ParseFrrNeighbors(R"({"192.0.2.1": {"bgpState": "Active", "remoteAs": 7224,
                                 "externalBgpNbrMaxHopsAway": 5, "updateSource": "lo"}})");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].ebgpMultihop, 5);
  EXPECT_EQ((*r)[0].updateSource, "lo");
}

TEST(FrrJson, ReadsEveryVrf) {
  auto r = ParseFrrNeighbors(R"({"default": {"vrfId": 0, "vrfName": "default"},
                                 "blue": {"vrfId": 5, "vrfName": "blue",
                                          "169.254.1.1": {"bgpState": "Idle"}}})");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].vrf, "blue");
}

TEST(FrrJson, GarbageIsAnError) {
  auto r = ParseFrrNeighbors("% Unknown command: show bgp vrf all neighbors json");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().what, "vtysh did not return JSON for 'show bgp neighbors json'");
}

TEST(FrrJson, WrongTypesAreIgnoredNotFatal) {
  auto r = ParseFrrNeighbors(R"({"169.254.1.1": {"bgpState": 3, "remoteAs": "x", "messageStats": []}})");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)[0].bgpState, "");
  EXPECT_FALSE((*r)[0].remoteAs.has_value());
}

}  // namespace
}  // namespace edgediag::plugin

namespace edgediag::plugin {
namespace {

// FRR bgpd/bgp_vty.c bgp_show_peer_afi(): policy names and the
// ebgp-requires-policy sentences, per address family.
TEST(FrrJson, ReadsThePolicyOfEachAddressFamily) {
  auto r = ParseFrrNeighbors(R"({"default": {"vrfId": 0, "vrfName": "default",
    "169.254.0.1": {"remoteAs": 64512, "bgpState": "Established",
      "addressFamilyInfo": {
        "ipv4Unicast": {"routeMapForIncomingAdvertisements": "AWS-IN",
          "outgoingUpdatePrefixFilterList": "MY-NETS", "acceptedPrefixCounter": 3,
          "sentPrefixCounter": 2, "prefixAllowedMax": 100},
        "ipv6Unicast": {"inboundEbgpRequiresPolicy": "Inbound updates discarded due to missing policy",
          "outboundEbgpRequiresPolicy": "Outbound updates discarded due to missing policy",
          "acceptedPrefixCounter": 0, "sentPrefixCounter": 0}}}}})");
  ASSERT_TRUE(r.ok()) << r.error().what;
  const auto& afs = (*r)[0].addressFamilyInfo;
  ASSERT_EQ(afs.size(), 2u);
  EXPECT_EQ(afs[0].afi, "ipv4Unicast");
  EXPECT_EQ(afs[0].routeMapForIncomingAdvertisements, "AWS-IN");
  EXPECT_EQ(afs[0].outgoingUpdatePrefixFilterList, "MY-NETS");
  EXPECT_EQ(afs[0].acceptedPrefixCounter, 3u);
  EXPECT_EQ(afs[0].sentPrefixCounter, 2u);
  EXPECT_EQ(afs[0].prefixAllowedMax, 100u);
  EXPECT_FALSE(afs[0].inboundEbgpRequiresPolicy);
  EXPECT_EQ(afs[1].afi, "ipv6Unicast");
  EXPECT_TRUE(afs[1].inboundEbgpRequiresPolicy);
  EXPECT_TRUE(afs[1].outboundEbgpRequiresPolicy);
  EXPECT_FALSE(afs[1].advertisedRoutes.has_value());  // not read by this command
  EXPECT_EQ((*r)[0].prefixesReceived, 3u);
}

TEST(FrrJson, BestPathsInBothFrrShapes) {
  // FRR 8.x: "bestpath": true; FRR 9+: "bestpath": {"overall": true}.
  auto r = ParseFrrBestRoutes(R"({"vrfId": 0, "vrfName": "default", "routes": {
    "10.2.0.0/16": [{"valid": true, "bestpath": true, "peerId": "169.254.0.1",
                     "nexthops": [{"ip": "169.254.0.1", "afi": "ipv4", "used": true}]}],
    "10.3.0.0/16": [{"valid": true, "peerId": "169.254.0.1"}],
    "10.4.0.0/16": [{"valid": true, "bestpath": {"overall": true, "selectionReason": "First path received"},
                     "nexthops": [{"ip": "169.254.0.1"}]}]}, "totalRoutes": 3})",
                              100);
  ASSERT_TRUE(r.ok()) << r.error().what;
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].prefix, "10.2.0.0/16");
  EXPECT_EQ((*r)[0].nexthop, "169.254.0.1");
  EXPECT_EQ((*r)[1].prefix, "10.4.0.0/16");
  EXPECT_EQ(ParseFrrBestRoutes(R"({"vrfId": 0})", 100)->size(), 0u);
  EXPECT_EQ(ParseFrrBestRoutes("% No such neighbor", 100).ok(), false);
}

TEST(FrrJson, AdvertisedRoutesAreCapped) {
  auto r = ParseFrrAdvertisedRoutes(R"({"bgpTableVersion": 3, "advertisedRoutes": {
    "10.100.0.0/24": {"addrPrefix": "10.100.0.0", "prefixLen": 24},
    "10.100.1.0/24": {"addrPrefix": "10.100.1.0", "prefixLen": 24}}, "totalPrefixCounter": 2})",
                                    1);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, std::vector<std::string>{"10.100.0.0/24"});
  EXPECT_TRUE(ParseFrrAdvertisedRoutes("{}", 10)->empty());
}

TEST(FrrJson, SplitsTheDocumentsOfSeveralCommands) {
  std::string text = "{\"a\": \"}{\\\"\", \"b\": [{}]}\n% Unknown command\n{\"c\": 1}\n{}";
  auto docs = SplitJsonDocuments(text);
  ASSERT_EQ(docs.size(), 3u);
  EXPECT_EQ(docs[0], "{\"a\": \"}{\\\"\", \"b\": [{}]}");
  EXPECT_EQ(docs[1], "{\"c\": 1}");
  EXPECT_EQ(docs[2], "{}");
  EXPECT_TRUE(SplitJsonDocuments("{\"unterminated\": ").empty());
}

}  // namespace
}  // namespace edgediag::plugin

namespace edgediag::plugin {
namespace {

// Recorded from FRR 8.4.4 in the lab (Debian 12): a healthy DX session.
TEST(FrrJson, RecordedNeighborRoutesAndAdvertisedRoutes) {
  auto best = ParseFrrBestRoutes(Fixture("neighbor-routes.json"), 100);
  ASSERT_TRUE(best.ok()) << best.error().what;
  ASSERT_EQ(best->size(), 1u);
  EXPECT_EQ((*best)[0].prefix, "10.2.0.0/16");
  EXPECT_EQ((*best)[0].nexthop, "169.254.0.1");
  auto adv = ParseFrrAdvertisedRoutes(Fixture("advertised-routes.json"), 100);
  ASSERT_TRUE(adv.ok()) << adv.error().what;
  // FRR 8.4 lists AWS's own 10.2.0.0/16 too: it sends it back.
  EXPECT_EQ(*adv, (std::vector<std::string>{"10.100.0.0/24", "10.100.1.0/24", "10.2.0.0/16"}));
}

// vtysh -c 'show bgp vrf all neighbors json' -c 'show bgp vrf all ipv4 unicast json'
TEST(FrrJson, RecordedTwoCommandsSplitIntoTwoDocuments) {
  std::string text = Fixture("two-commands.txt");
  auto docs = SplitJsonDocuments(text);
  ASSERT_EQ(docs.size(), 2u);
  auto n = ParseFrrNeighbors(docs[0]);
  ASSERT_TRUE(n.ok());
  ASSERT_EQ(n->size(), 1u);
  EXPECT_EQ((*n)[0].addressFamilyInfo.at(0).acceptedPrefixCounter, 1u);
  EXPECT_EQ((*n)[0].addressFamilyInfo.at(0).sentPrefixCounter, 3u);
}

}  // namespace
}  // namespace edgediag::plugin

namespace edgediag::plugin {
namespace {

// FRR 8.4.4 with `bgp ebgp-requires-policy` and no route-map: "(Policy)".
TEST(FrrJson, RecordedEbgpRequiresPolicy) {
  auto r = ParseFrrNeighbors(Fixture("policy-required.json"));
  ASSERT_TRUE(r.ok());
  const BgpAddressFamily& af = (*r).at(0).addressFamilyInfo.at(0);
  EXPECT_TRUE(af.inboundEbgpRequiresPolicy);
  EXPECT_TRUE(af.outboundEbgpRequiresPolicy);
  EXPECT_EQ(af.acceptedPrefixCounter, 0u);
  EXPECT_EQ((*r)[0].bgpState, "Established");
}

// FRR 8.4.4 with `neighbor X prefix-list NOPE out`, NOPE not defined.
TEST(FrrJson, RecordedOutboundPrefixListTypo) {
  auto r = ParseFrrNeighbors(Fixture("prefix-list-typo.json"));
  ASSERT_TRUE(r.ok());
  const BgpAddressFamily& af = (*r).at(0).addressFamilyInfo.at(0);
  EXPECT_EQ(af.outgoingUpdatePrefixFilterList, "NOPE");
  EXPECT_EQ(af.sentPrefixCounter, 0u);
  EXPECT_FALSE(af.outboundEbgpRequiresPolicy);
}

}  // namespace
}  // namespace edgediag::plugin

namespace edgediag::plugin {
namespace {

TEST(FrrJson, AdvertisedRoutesLeaveOutThePeersOwn) {
  // Recorded: 10.2.0.0/16 came from AS 64512 and goes back to it.
  auto adv = ParseFrrAdvertisedRoutes(Fixture("advertised-routes.json"), 100, 64512);
  ASSERT_TRUE(adv.ok());
  EXPECT_EQ(*adv, (std::vector<std::string>{"10.100.0.0/24", "10.100.1.0/24"}));
  // A whole AS number only: 645120 is another AS.
  auto other = ParseFrrAdvertisedRoutes(
      R"({"advertisedRoutes": {"10.9.0.0/16": {"path": "645120 64999"}}})", 100, 64512);
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(other->size(), 1u);
}

}  // namespace
}  // namespace edgediag::plugin

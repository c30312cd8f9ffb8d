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

// Every documented shape of describe-virtual-interfaces is read, never
// refused (docs/vif-fields.md): one file per shape in tests/data/vif/shapes.
#include <gtest/gtest.h>

#include "plugin/vif_reader.h"

namespace edgediag::plugin {
namespace {

constexpr char kSalt[] = "vif-shapes-salt";

std::vector<Vif> Read(const char* name) {
  auto r = ReadVifFile(std::string(EDGEDIAG_TESTDATA "/vif/shapes/") + name, kSalt);
  EXPECT_TRUE(r.ok()) << name << ": " << (r.ok() ? "" : r.error().what);
  return r.ok() ? *r : std::vector<Vif>{};
}

TEST(VifShapes, FourByteAsnLongWithTheLegacyAsnAtZero) {
  auto v = Read("asnlong-4byte.json");
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].asn, 4200000001u);
  EXPECT_EQ(v[0].amazonSideAsn, 4200000100u);
  auto peers = Peerings(v[0]);
  ASSERT_EQ(peers.size(), 1u);
  EXPECT_EQ(peers[0].asn, 4200000001u);
}

TEST(VifShapes, LegacyTopLevelFieldsWithoutBgpPeers) {
  auto v = Read("legacy-top-level.json");
  ASSERT_EQ(v.size(), 1u);
  auto peers = Peerings(v[0]);
  ASSERT_EQ(peers.size(), 1u);
  EXPECT_EQ(peers[0].customerAddress, "169.254.30.2/30");
  EXPECT_EQ(peers[0].addressFamily, "ipv4");
  EXPECT_EQ(peers[0].asn, 65000u);
  ASSERT_TRUE(peers[0].authKey.has_value());
  EXPECT_FALSE(v[0].mtu.has_value());
}

TEST(VifShapes, OneVirtualInterfaceObjectAlone) {
  auto v = Read("single-object.json");
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].virtualInterfaceType, "transit");
  EXPECT_EQ(Peerings(v[0]).size(), 1u);
}

TEST(VifShapes, DualStackPeeringsOnlyInBgpPeersDeletedOnesLeftOut) {
  auto v = Read("bgppeers-only-dual-stack.json");
  ASSERT_EQ(v.size(), 1u);
  EXPECT_TRUE(v[0].customerAddress.empty());
  auto peers = Peerings(v[0]);
  ASSERT_EQ(peers.size(), 2u);
  EXPECT_EQ(peers[0].addressFamily, "ipv4");
  EXPECT_EQ(peers[1].addressFamily, "ipv6");
  EXPECT_EQ(peers[1].amazonAddress, "2001:db8:1100:2f0:0:1:9cb4:4211/125");
  // Each session has its own key.
  ASSERT_TRUE(peers[0].authKey && peers[1].authKey);
  EXPECT_NE(peers[0].authKey->fp_raw, peers[1].authKey->fp_raw);
}

TEST(VifShapes, VifsNotInServiceComeWithoutPeeringsAndAreKept) {
  auto v = Read("not-in-service.json");
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(v[0].virtualInterfaceState, "confirming");
  EXPECT_FALSE(v[0].asn.has_value());          // 0: not given
  EXPECT_FALSE(v[0].amazonSideAsn.has_value());
  EXPECT_FALSE(v[0].mtu.has_value());
  EXPECT_TRUE(Peerings(v[0]).empty());
  EXPECT_TRUE(Peerings(v[1]).empty());
}

TEST(VifShapes, PublicVifWithRouteFilterPrefixes) {
  auto v = Read("public-vif.json");
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].routeFilterPrefixes,
            (std::vector<std::string>{"203.0.113.0/30", "198.51.100.0/24"}));
  EXPECT_EQ(v[0].amazonSideAsn, 7224u);
}

TEST(VifShapes, AnAccountWithoutVifs) { EXPECT_TRUE(Read("empty-account.json").empty()); }

TEST(VifShapes, AnInServiceVifStillNeedsItsAddresses) {
  auto r = ParseVifs(R"({"virtualInterfaceId": "dxvif-a", "vlan": 5, "asn": 1,
                         "virtualInterfaceState": "available"})",
                     "vifs.json", kSalt);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().what,
            "vifs.json: dxvif-a: field \"customerAddress\": missing (neither the VIF nor any "
            "bgpPeers entry gives the peer addresses)");
}

}  // namespace
}  // namespace edgediag::plugin

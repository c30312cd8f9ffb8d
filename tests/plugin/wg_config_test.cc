// Friendly names and configured endpoints of WireGuard peers, on fixtures
// shaped as VyOS 1.4's active configuration tree, its config.boot and a
// wg-quick file; and that no private or preshared key is ever kept.
#include "plugin/wg_config.h"

#include <gtest/gtest.h>

#include "plugin/snapshot_json.h"

namespace edgediag::plugin {
namespace {

const std::string kData = std::string(EDGEDIAG_TESTDATA) + "/wg-config";

TEST(WgConfig, VyosActiveTreeNamesPeersAndDecodesTagNames) {
  auto c = ReadVyosActiveTree(kData + "/vyos14/opt/vyatta/config/active");
  ASSERT_TRUE(c) << c.error().what;
  ASSERT_EQ(c->count("wg0"), 1u);
  const auto& peers = c->at("wg0").peers;
  ASSERT_EQ(peers.size(), 2u);
  EXPECT_EQ(peers.at("AliceLaptopKeyAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=").name, "alice-laptop");
  EXPECT_FALSE(peers.at("AliceLaptopKeyAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=").endpoint);
  EXPECT_EQ(peers.at("HqDc1PeerKeyBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB=").name, "hq/dc1");
  EXPECT_TRUE(peers.at("HqDc1PeerKeyBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB=").endpoint);
}

TEST(WgConfig, VyosActiveTreeAbsentIsUnavailable) {
  auto c = ReadVyosActiveTree(kData + "/nowhere");
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, Error::Code::kUnavailable);
}

TEST(WgConfig, VyosConfigBootNamesPeersOfEveryInterface) {
  auto c = ReadVyosConfigBoot(kData + "/vyos-boot/config/config.boot");
  ASSERT_TRUE(c) << c.error().what;
  ASSERT_EQ(c->size(), 2u);
  const auto& wg0 = c->at("wg0").peers;
  ASSERT_EQ(wg0.size(), 2u);
  EXPECT_EQ(wg0.at("AliceLaptopKeyAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=").name, "alice-laptop");
  EXPECT_FALSE(wg0.at("AliceLaptopKeyAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=").endpoint);
  EXPECT_EQ(wg0.at("HqDc1PeerKeyBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB=").name, "hq");
  EXPECT_TRUE(wg0.at("HqDc1PeerKeyBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB=").endpoint);
  // host-name is an endpoint too (VyOS 1.4+).
  EXPECT_TRUE(c->at("wg1").peers.at("BobPeerKeyCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC=").endpoint);
}

TEST(WgConfig, WgQuickNameCommentsInsideAndBeforeThePeer) {
  auto w = ReadWgQuickFile(kData + "/wg-quick/etc/wireguard/wg2.conf");
  ASSERT_TRUE(w) << w.error().what;
  ASSERT_EQ(w->peers.size(), 3u);
  EXPECT_EQ(w->peers.at("CarolPhoneKeyDDDDDDDDDDDDDDDDDDDDDDDDDDDDDD=").name, "carol-phone");
  EXPECT_FALSE(w->peers.at("CarolPhoneKeyDDDDDDDDDDDDDDDDDDDDDDDDDDDDDD=").endpoint);
  EXPECT_EQ(w->peers.at("DavePeerKeyEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEE=").name, "dave");
  EXPECT_TRUE(w->peers.at("DavePeerKeyEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEE=").endpoint);
  EXPECT_EQ(w->peers.at("ErinPeerKeyFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF=").name, "erin");
}

TEST(WgConfig, NoKeyOfAnyFileIsKept) {
  // Every fixture's secret starts with "SECRET": none may reach the result.
  auto all = ReadWireguardConfig(WgConfigPaths::Under(kData + "/vyos-boot"), nullptr);
  auto quick = ReadWireguardConfig(WgConfigPaths::Under(kData + "/wg-quick"), nullptr);
  auto tree = ReadWireguardConfig(WgConfigPaths::Under(kData + "/vyos14"), nullptr);
  for (const auto* c : {&all, &quick, &tree})
    for (const auto& [iface, w] : *c)
      for (const auto& [key, p] : w.peers) {
        EXPECT_EQ(key.find("SECRET"), std::string::npos);
        EXPECT_EQ(p.name.find("SECRET"), std::string::npos);
      }
}

TEST(WgConfig, ActiveTreeWinsOverConfigBootAndWgQuickFillsTheRest) {
  auto c = ReadWireguardConfig(WgConfigPaths::Under(kData + "/vyos14"), nullptr);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c.at("wg0").peers.at("HqDc1PeerKeyBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB=").name, "hq/dc1");
  auto q = ReadWireguardConfig(WgConfigPaths::Under(kData + "/wg-quick"), nullptr);
  ASSERT_EQ(q.count("wg2"), 1u);
}

TEST(WgConfig, ApplyNamesPeersAndMarksConfiguredEndpoints) {
  std::vector<WgInterface> ifs(1);
  ifs[0].name = "wg0";
  ifs[0].peers.push_back({.public_key = "AliceLaptopKeyAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="});
  ifs[0].peers.push_back({.public_key = "HqDc1PeerKeyBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB=",
                          .endpoint = "198.51.100.10:51820"});
  ifs[0].peers.push_back({.public_key = "UnknownKeyGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGG="});
  ApplyWireguardConfig(ReadWireguardConfig(WgConfigPaths::Under(kData + "/vyos-boot"), nullptr),
                       ifs);
  EXPECT_EQ(ifs[0].config, kData + "/vyos-boot/config/config.boot");
  EXPECT_EQ(ifs[0].peers[0].name, "alice-laptop");
  EXPECT_FALSE(ifs[0].peers[0].endpoint_configured);
  EXPECT_EQ(ifs[0].peers[1].name, "hq");
  EXPECT_TRUE(ifs[0].peers[1].endpoint_configured);
  EXPECT_EQ(ifs[0].peers[2].name, "");
}

TEST(WgConfig, ExpectUpMatchesKeyNameInterfaceAndInterfaceKey) {
  std::vector<WgInterface> ifs(2);
  ifs[0].name = "wg0";
  ifs[0].peers = {{.public_key = "K1=", .name = "alice"}, {.public_key = "K2="}};
  ifs[1].name = "wg1";
  ifs[1].peers = {{.public_key = "K3="}, {.public_key = "K4="}};
  std::vector<std::string> names{"alice", "wg0:K2=", "wg1", "nobody"};
  auto unmatched = MarkExpectedUp(ifs, names);
  EXPECT_TRUE(ifs[0].peers[0].expect_up);
  EXPECT_TRUE(ifs[0].peers[1].expect_up);
  EXPECT_TRUE(ifs[1].peers[0].expect_up);
  EXPECT_TRUE(ifs[1].peers[1].expect_up);
  EXPECT_EQ(unmatched, std::vector<std::string>{"nobody"});
  std::vector<WgInterface> again(1);
  again[0].peers = {{.public_key = "K2="}, {.public_key = "K5="}};
  again[0].name = "wg9";
  std::vector<std::string> key{"K2="};
  MarkExpectedUp(again, key);
  EXPECT_TRUE(again[0].peers[0].expect_up);
  EXPECT_FALSE(again[0].peers[1].expect_up);
}

}  // namespace
}  // namespace edgediag::plugin

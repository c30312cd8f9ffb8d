#include "netlink/wireguard.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <linux/genetlink.h>
#include <linux/wireguard.h>
#include <netinet/in.h>

#include "tests/netlink/nl_builder.h"

namespace edgediag::netlink {
namespace {

using testing::Contains;
using testing::NlBuilder;

constexpr std::uint16_t kFamily = 0x20;

std::vector<std::uint8_t> KeyBytes(std::uint8_t fill) { return std::vector<std::uint8_t>(32, fill); }
std::string B64(const std::vector<std::uint8_t>& v) { return Base64(std::as_bytes(std::span(v))); }

// A private key whose bytes spell a marker we can search for.
std::vector<std::uint8_t> SecretKey() {
  std::string s = "PRIVATE-KEY-DO-NOT-LEAK-01234567";
  return {s.begin(), s.end()};
}

void DeviceHeader(NlBuilder& b, bool with_device) {
  genlmsghdr g{WG_CMD_GET_DEVICE, 1, 0};
  b.Begin(kFamily).Header(g);
  if (!with_device) return;
  b.Scalar<std::uint32_t>(WGDEVICE_A_IFINDEX, 7).Str(WGDEVICE_A_IFNAME, "wg0");
  b.Bytes(WGDEVICE_A_PRIVATE_KEY, SecretKey()).Bytes(WGDEVICE_A_PUBLIC_KEY, KeyBytes(0x11));
  b.Scalar<std::uint16_t>(WGDEVICE_A_LISTEN_PORT, 51820).Scalar<std::uint32_t>(WGDEVICE_A_FWMARK, 0x42);
}

void AllowedIp(NlBuilder& b, int index, const char* addr, std::uint8_t mask) {
  in_addr a{};
  inet_pton(AF_INET, addr, &a);
  b.NestStart(static_cast<std::uint16_t>(index));
  b.Scalar<std::uint16_t>(WGALLOWEDIP_A_FAMILY, AF_INET).Attr(WGALLOWEDIP_A_IPADDR, &a, 4);
  b.Scalar<std::uint8_t>(WGALLOWEDIP_A_CIDR_MASK, mask).NestEnd();
}

TEST(WireguardTest, MergesDeviceAndPeerSplitAcrossMessages) {
  NlBuilder b;
  DeviceHeader(b, true);
  b.NestStart(WGDEVICE_A_PEERS).NestStart(0);
  b.Bytes(WGPEER_A_PUBLIC_KEY, KeyBytes(0x22)).Bytes(WGPEER_A_PRESHARED_KEY, SecretKey());
  sockaddr_in ep{};
  ep.sin_family = AF_INET;
  ep.sin_port = htons(51820);
  inet_pton(AF_INET, "198.51.100.7", &ep.sin_addr);
  b.Attr(WGPEER_A_ENDPOINT, &ep, sizeof(ep));
  std::int64_t ts[2] = {1700000000, 5};
  b.Attr(WGPEER_A_LAST_HANDSHAKE_TIME, ts, sizeof(ts));
  b.Scalar<std::uint64_t>(WGPEER_A_RX_BYTES, 1000).Scalar<std::uint64_t>(WGPEER_A_TX_BYTES, 2000);
  b.Scalar<std::uint16_t>(WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL, 25);
  b.NestStart(WGPEER_A_ALLOWEDIPS);
  AllowedIp(b, 0, "10.1.0.0", 16);
  b.NestEnd().NestEnd().NestEnd();
  // Second message: no device attributes; the same peer continues with more
  // allowed IPs, then a second peer starts.
  DeviceHeader(b, false);
  b.NestStart(WGDEVICE_A_PEERS).NestStart(0).Bytes(WGPEER_A_PUBLIC_KEY, KeyBytes(0x22));
  b.NestStart(WGPEER_A_ALLOWEDIPS);
  AllowedIp(b, 0, "10.2.0.0", 16);
  b.NestEnd().NestEnd();
  b.NestStart(1).Bytes(WGPEER_A_PUBLIC_KEY, KeyBytes(0x33)).NestEnd().NestEnd();
  auto bytes = b.Done();

  auto devs = DecodeWgDevices(bytes);
  ASSERT_TRUE(devs.ok()) << devs.error().what;
  ASSERT_EQ(devs->items.size(), 1u);
  const WgDevice& d = devs->items[0];
  EXPECT_EQ(d.ifname, "wg0");
  EXPECT_EQ(d.ifindex, 7);
  EXPECT_EQ(d.listen_port, 51820);
  EXPECT_EQ(d.fwmark, 0x42u);
  EXPECT_TRUE(d.private_key_set);
  EXPECT_EQ(d.public_key, B64(KeyBytes(0x11)));
  ASSERT_EQ(d.peers.size(), 2u);
  const WgPeerInfo& p = d.peers[0];
  EXPECT_EQ(p.endpoint, "198.51.100.7:51820");
  EXPECT_EQ(p.last_handshake_time_sec, 1700000000);
  EXPECT_EQ(p.rx_bytes, 1000u);
  EXPECT_EQ(p.tx_bytes, 2000u);
  EXPECT_EQ(p.persistent_keepalive_interval, 25);
  EXPECT_TRUE(p.preshared_key_set);
  ASSERT_EQ(p.allowedips.size(), 2u);
  EXPECT_EQ(p.allowedips[0].ipaddr, "10.1.0.0");
  EXPECT_EQ(p.allowedips[1].ipaddr, "10.2.0.0");
  EXPECT_EQ(p.allowedips[1].cidr_mask, 16);
  EXPECT_EQ(d.peers[1].endpoint, "");
  EXPECT_EQ(devs->warnings.size(), 0u);

  // The private and preshared keys were in the input, and are nowhere in the
  // output, neither raw nor base64.
  ASSERT_TRUE(Contains(bytes, "PRIVATE-KEY-DO-NOT-LEAK"));
  const std::string secret_b64 = B64(SecretKey());
  for (const auto& s : {d.public_key, d.ifname, p.public_key, p.endpoint, d.peers[1].public_key}) {
    EXPECT_EQ(s.find("PRIVATE"), std::string::npos);
    EXPECT_NE(s, secret_b64);
  }
}

TEST(WireguardTest, Ipv6EndpointAndBadAttributes) {
  NlBuilder b;
  DeviceHeader(b, true);
  b.NestStart(WGDEVICE_A_PEERS).NestStart(0).Bytes(WGPEER_A_PUBLIC_KEY, KeyBytes(0x44));
  sockaddr_in6 ep{};
  ep.sin6_family = AF_INET6;
  ep.sin6_port = htons(4500);
  inet_pton(AF_INET6, "2001:db8::7", &ep.sin6_addr);
  b.Attr(WGPEER_A_ENDPOINT, &ep, sizeof(ep));
  b.Scalar<std::uint32_t>(WGPEER_A_RX_BYTES, 5);  // wrong size: unset + warning
  b.Scalar<std::uint32_t>(99, 5);                 // unknown: skipped
  b.NestEnd();
  b.NestStart(1).Bytes(WGPEER_A_PUBLIC_KEY, {1, 2, 3}).NestEnd();  // short key: peer dropped
  b.NestEnd();
  auto devs = DecodeWgDevices(b.Done());
  ASSERT_TRUE(devs.ok());
  const WgDevice& d = devs->items.at(0);
  ASSERT_EQ(d.peers.size(), 1u);
  EXPECT_EQ(d.peers[0].endpoint, "[2001:db8::7]:4500");
  EXPECT_EQ(d.peers[0].rx_bytes, 0u);
  EXPECT_EQ(devs->warnings.size(), 2u);
}

TEST(WireguardTest, PeersWithoutDeviceAreDropped) {
  NlBuilder b;
  DeviceHeader(b, false);
  b.NestStart(WGDEVICE_A_PEERS).NestStart(0).Bytes(WGPEER_A_PUBLIC_KEY, KeyBytes(1)).NestEnd().NestEnd();
  auto devs = DecodeWgDevices(b.Done());
  ASSERT_TRUE(devs.ok());
  EXPECT_TRUE(devs->items.empty());
  EXPECT_EQ(devs->warnings.size(), 1u);
}

TEST(WireguardTest, Base64MatchesWgTools) {
  std::vector<std::uint8_t> zero(32, 0);
  EXPECT_EQ(Base64(std::as_bytes(std::span(zero))), "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
  std::string f = "foobar";
  EXPECT_EQ(Base64(std::as_bytes(std::span(f.data(), 4))), "Zm9vYg==");
  EXPECT_EQ(Base64(std::as_bytes(std::span(f.data(), 5))), "Zm9vYmE=");
}

}  // namespace
}  // namespace edgediag::netlink

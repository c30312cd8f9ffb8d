// The userspace WireGuard UAPI `get=1` reply decoder, on replies shaped as
// the protocol (wireguard.com/xplatform) and wireguard-go 0.0.20220316
// (Debian 12) give them; the lab reads a real wireguard-go.
#include "netlink/wg_uapi.h"

#include <gtest/gtest.h>


namespace edgediag::netlink {
namespace {

// 0x11 * 32 as hex and base64.
const std::string kHex11(64, '1');
constexpr char kB64_11[] = "ERERERERERERERERERERERERERERERERERERERERERE=";

std::string Reply() {
  return "private_key=" + std::string(64, 'a') +
         "\nlisten_port=51820\nfwmark=0\npublic_key=" + kHex11 +
         "\npreshared_key=" + std::string(64, '0') +
         "\nprotocol_version=1\nendpoint=198.51.100.10:51820\nlast_handshake_time_sec=1795658370"
         "\nlast_handshake_time_nsec=123\ntx_bytes=6000\nrx_bytes=5000"
         "\npersistent_keepalive_interval=25\nallowed_ip=10.99.0.2/32\nallowed_ip=fd00::/64"
         "\npublic_key=" + std::string(64, '2') +
         "\nendpoint=[2001:db8::1]:51820\nallowed_ip=10.99.0.3/32\nerrno=0\n\n";
}

TEST(WgUapi, DecodesDeviceAndPeers) {
  auto d = DecodeUapiGet("wg9", Reply());
  ASSERT_TRUE(d) << d.error().what;
  EXPECT_EQ(d->ifname, "wg9");
  EXPECT_EQ(d->listen_port, 51820);
  EXPECT_TRUE(d->private_key_set);
  EXPECT_EQ(d->public_key, "");  // not in the reply; derived from the private key by wg only
  ASSERT_EQ(d->peers.size(), 2u);
  const auto& p = d->peers[0];
  EXPECT_EQ(p.public_key, kB64_11);
  EXPECT_FALSE(p.preshared_key_set);
  EXPECT_EQ(p.endpoint, "198.51.100.10:51820");
  EXPECT_EQ(p.last_handshake_time_sec, 1795658370);
  EXPECT_EQ(p.tx_bytes, 6000u);
  EXPECT_EQ(p.rx_bytes, 5000u);
  EXPECT_EQ(p.persistent_keepalive_interval, 25);
  ASSERT_EQ(p.allowedips.size(), 2u);
  EXPECT_EQ(p.allowedips[0].ipaddr, "10.99.0.2");
  EXPECT_EQ(p.allowedips[0].cidr_mask, 32);
  EXPECT_EQ(p.allowedips[1].ipaddr, "fd00::");
  EXPECT_EQ(p.allowedips[1].cidr_mask, 64);
  EXPECT_EQ(d->peers[1].endpoint, "[2001:db8::1]:51820");
}

TEST(WgUapi, KeepsNoPrivateKey) {
  auto d = DecodeUapiGet("wg9", Reply());
  ASSERT_TRUE(d);
  for (const auto& p : d->peers) EXPECT_EQ(p.public_key.find("qqqq"), std::string::npos);
  EXPECT_EQ(d->public_key.find(std::string(8, 'a')), std::string::npos);
}

TEST(WgUapi, NonzeroErrnoIsAnError) {
  auto d = DecodeUapiGet("wg9", "errno=13\n\n");
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().code, Error::Code::kPermissionDenied);
  EXPECT_EQ(d.error().what, "UAPI get on wg9 failed: errno 13");
}

TEST(WgUapi, TruncatedReplyIsAnError) {
  auto d = DecodeUapiGet("wg9", "listen_port=51820\npublic_key=" + kHex11 + "\n");
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().what, "UAPI reply from wg9 ended without errno");
}

TEST(WgUapi, BadValueNamesTheLineNotTheValue) {
  auto d = DecodeUapiGet("wg9", "public_key=zz\nerrno=0\n\n");
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().what, "UAPI reply line 1: bad value for public_key");
  auto e = DecodeUapiGet("wg9", "public_key=" + kHex11 + "\nallowed_ip=10.0.0.0/33\nerrno=0\n\n");
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().what, "UAPI reply line 2: bad value for allowed_ip");
}

TEST(WgUapi, UnknownKeysAreSkipped) {
  auto d = DecodeUapiGet("wg9", "listen_port=1\nsome_new_key=7\npublic_key=" + kHex11 +
                                    "\nanother_new_key=x\nerrno=0\n\n");
  ASSERT_TRUE(d) << d.error().what;
  EXPECT_EQ(d->peers.size(), 1u);
}

TEST(WgUapi, NoSocketIsUnavailable) {
  auto d = ReadUapiDevice("/nonexistent/wg9.sock", "wg9", std::chrono::milliseconds(200));
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().code, Error::Code::kUnavailable);
}

}  // namespace
}  // namespace edgediag::netlink

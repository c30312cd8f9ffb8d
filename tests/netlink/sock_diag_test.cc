#include "netlink/sock_diag.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <linux/tcp.h>

#include <nlohmann/json.hpp>

#include "plugin/snapshot.h"
#include "plugin/snapshot_json.h"
#include "tests/netlink/nl_builder.h"
#include "tests/netlink/recorded_netlink.h"

namespace edgediag::netlink {
namespace {

using testing::AsBytes;
using testing::Contains;
using testing::NlBuilder;

// include/net/tcp_states.h (not in the uapi headers).
constexpr std::uint8_t TCP_ESTABLISHED = 1, TCP_SYN_SENT = 2, TCP_LISTEN = 10;

const std::string kSecret = "Tr0ub4dor&3-SECRET";
constexpr char kSalt[] = "00112233445566778899aabbccddeeff";

inet_diag_msg Msg(std::uint8_t state, const char* src, std::uint16_t sport, const char* dst,
                  std::uint16_t dport) {
  inet_diag_msg m{};
  m.idiag_family = AF_INET;
  m.idiag_state = state;
  m.id.idiag_sport = htons(sport);
  m.id.idiag_dport = htons(dport);
  inet_pton(AF_INET, src, &m.id.idiag_src[0]);
  inet_pton(AF_INET, dst, &m.id.idiag_dst[0]);
  return m;
}

tcp_diag_md5sig Key(const char* addr, std::uint8_t prefixlen, const std::string& key) {
  tcp_diag_md5sig k{};
  k.tcpm_family = AF_INET;
  k.tcpm_prefixlen = prefixlen;
  k.tcpm_keylen = static_cast<std::uint16_t>(key.size());
  inet_pton(AF_INET, addr, &k.tcpm_addr[0]);
  std::memcpy(k.tcpm_key, key.data(), key.size());
  return k;
}

std::vector<std::byte> ListenerWithKeys(const std::vector<tcp_diag_md5sig>& keys) {
  NlBuilder b;
  b.Begin(SOCK_DIAG_BY_FAMILY).Header(Msg(TCP_LISTEN, "0.0.0.0", 179, "0.0.0.0", 0));
  b.Attr(INET_DIAG_MD5SIG, keys.data(), keys.size() * sizeof(tcp_diag_md5sig));
  return b.Done();
}

TEST(SockDiagTest, DescribesMd5KeysWithoutKeepingThem) {
  auto bytes = ListenerWithKeys({Key("169.254.10.1", 32, kSecret), Key("10.0.0.0", 8, " x")});
  auto socks = DecodeInetDiag(bytes, kSalt);
  ASSERT_TRUE(socks.ok());
  ASSERT_EQ(socks->items.size(), 1u);
  const InetDiagSock& s = socks->items[0];
  EXPECT_EQ(TcpStateName(s.idiag_state), "LISTEN");
  EXPECT_EQ(s.sport, 179);
  EXPECT_TRUE(s.md5sig_present);
  ASSERT_EQ(s.md5sig.size(), 2u);
  EXPECT_EQ(s.md5sig[0].tcpm_addr, "169.254.10.1");
  EXPECT_EQ(s.md5sig[0].tcpm_prefixlen, 32);
  EXPECT_EQ(s.md5sig[0].key, DescribeKey(kSecret, kSalt));
  EXPECT_EQ(s.md5sig[1].tcpm_addr, "10.0.0.0");
  EXPECT_TRUE(s.md5sig[1].key.leading_whitespace);
  EXPECT_EQ(socks->warnings.size(), 0u);
}

TEST(SockDiagTest, SecretNeverReachesTheSnapshotJson) {
  auto bytes = ListenerWithKeys({Key("169.254.10.1", 32, kSecret)});
  auto socks = DecodeInetDiag(bytes, kSalt);
  ASSERT_TRUE(socks.ok());
  plugin::Snapshot snap;
  plugin::TcpSocket t;
  for (const auto& m : socks->items.at(0).md5sig) t.md5_keys.push_back({m.tcpm_addr, m.tcpm_prefixlen, m.key});
  snap.tcp_sockets.push_back(t);
  std::string json = plugin::SnapshotToJson(snap).dump();
  EXPECT_EQ(json.find(kSecret), std::string::npos);
  EXPECT_EQ(json.find("Tr0ub4dor"), std::string::npos);
  EXPECT_NE(json.find("\"length_bytes\":18"), std::string::npos);
}

TEST(SockDiagTest, OverlongKeyLengthIsSkippedWithWarning) {
  auto k = Key("192.0.2.1", 32, "abc");
  k.tcpm_keylen = 81;  // more than TCP_MD5SIG_MAXKEYLEN: would read past tcpm_key
  auto socks = DecodeInetDiag(ListenerWithKeys({k}), kSalt);
  ASSERT_TRUE(socks.ok());
  EXPECT_TRUE(socks->items.at(0).md5sig.empty());
  EXPECT_EQ(socks->warnings.size(), 1u);
}

TEST(SockDiagTest, PartialMd5EntryIsIgnoredWithWarning) {
  auto k = Key("192.0.2.1", 32, "abc");
  NlBuilder b;
  b.Begin(SOCK_DIAG_BY_FAMILY).Header(Msg(TCP_LISTEN, "0.0.0.0", 179, "0.0.0.0", 0));
  b.Attr(INET_DIAG_MD5SIG, &k, sizeof(k) - 10);
  auto socks = DecodeInetDiag(b.Done(), kSalt);
  ASSERT_TRUE(socks.ok());
  EXPECT_TRUE(socks->items.at(0).md5sig_present);
  EXPECT_TRUE(socks->items[0].md5sig.empty());
  EXPECT_EQ(socks->warnings.size(), 1u);
}

TEST(SockDiagTest, ShortTcpInfoReportsOnlyFieldsThatCame) {
  tcp_info info{};
  info.tcpi_snd_mss = 1448;
  info.tcpi_rcv_mss = 536;
  info.tcpi_pmtu = 1500;
  NlBuilder b;
  b.Begin(SOCK_DIAG_BY_FAMILY).Header(Msg(TCP_ESTABLISHED, "10.0.0.1", 40000, "10.0.0.2", 179));
  b.Attr(INET_DIAG_INFO, &info, offsetof(tcp_info, tcpi_pmtu));  // an old, short tcp_info
  auto socks = DecodeInetDiag(b.Done(), kSalt);
  ASSERT_TRUE(socks.ok());
  const auto& s = socks->items.at(0);
  EXPECT_EQ(s.tcpi_snd_mss, 1448u);
  EXPECT_EQ(s.tcpi_rcv_mss, 536u);
  EXPECT_FALSE(s.tcpi_pmtu.has_value());
  EXPECT_EQ(s.dport, 179);
  EXPECT_EQ(s.dst, "10.0.0.2");
}

TEST(SockDiagTest, PortFilterDropsOtherSocketsBeforeReadingThem) {
  NlBuilder b;
  b.Begin(SOCK_DIAG_BY_FAMILY).Header(Msg(TCP_ESTABLISHED, "10.0.0.1", 22, "10.0.0.9", 50000));
  b.Begin(SOCK_DIAG_BY_FAMILY).Header(Msg(TCP_SYN_SENT, "10.0.0.1", 40001, "10.0.0.2", 179));
  auto socks = DecodeInetDiag(b.Done(), kSalt, {179});
  ASSERT_TRUE(socks.ok());
  ASSERT_EQ(socks->items.size(), 1u);
  EXPECT_EQ(TcpStateName(socks->items[0].idiag_state), "SYN-SENT");
}

TEST(SockDiagTest, ShortMessageAndGarbageAreHandled) {
  NlBuilder b;
  b.Begin(SOCK_DIAG_BY_FAMILY).Header(std::uint64_t{0});
  auto socks = DecodeInetDiag(b.Done(), kSalt);
  ASSERT_TRUE(socks.ok());
  EXPECT_TRUE(socks->items.empty());
  EXPECT_EQ(socks->warnings.size(), 1u);

  std::vector<std::byte> garbage(7, std::byte{0xff});
  auto bad = DecodeInetDiag(garbage, kSalt);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().what, "netlink: truncated message header (7 bytes)");
}

// Recorded on this machine's kernel in a namespace: a listener on :179 with
// TCP-MD5 keys for 127.0.0.1 ("S3cr3tK3y!" + U+00A0) and 10.9.9.9
// ("other-key "), and one connection to it from 127.0.0.1 with the key.
TEST(SockDiagRecordedTest, ListenerAndConnectionWithKeys) {
  auto raw = AsBytes(testdata::kRecordedDiag);
  ASSERT_TRUE(Contains(raw, "S3cr3tK3y!"));  // the kernel did send the key bytes
  auto socks = DecodeInetDiag(raw, kSalt, {179});
  ASSERT_TRUE(socks.ok()) << socks->warnings.size();
  EXPECT_EQ(socks->warnings.size(), 0u);
  ASSERT_EQ(socks->items.size(), 3u);
  const InetDiagSock* listener = nullptr;
  int established = 0;
  for (const auto& s : socks->items) {
    if (s.idiag_state == TCP_LISTEN) listener = &s;
    if (s.idiag_state == TCP_ESTABLISHED) {
      ++established;
      EXPECT_GT(s.tcpi_snd_mss.value_or(0), 0u);
      ASSERT_EQ(s.md5sig.size(), 1u);
      EXPECT_EQ(s.md5sig[0].key, DescribeKey(std::string_view("S3cr3tK3y!\xc2\xa0"), kSalt));
    }
  }
  EXPECT_EQ(established, 2);
  ASSERT_NE(listener, nullptr);
  ASSERT_EQ(listener->md5sig.size(), 2u);
  for (const auto& k : listener->md5sig) {
    if (k.tcpm_addr == "127.0.0.1") {
      EXPECT_EQ(k.key.length_bytes, 12u);
      ASSERT_EQ(k.key.unusual.size(), 1u);
      EXPECT_EQ(k.key.unusual[0].code_point, 0xa0u);
      EXPECT_TRUE(k.key.trailing_whitespace);
    } else {
      EXPECT_EQ(k.tcpm_addr, "10.9.9.9");
      EXPECT_TRUE(k.key.trailing_whitespace);
    }
  }
  // Nothing decoded holds the key text.
  for (const auto& s : socks->items)
    for (const auto& k : s.md5sig) {
      EXPECT_EQ(k.key.fp_raw.find("S3cr3t"), std::string::npos);
      EXPECT_EQ(k.tcpm_addr.find("S3cr3t"), std::string::npos);
    }
}

}  // namespace
}  // namespace edgediag::netlink

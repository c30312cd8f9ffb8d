// Message-level checks shared by every decoder (errors, EXT_ACK text,
// alignment), generic netlink family lookup, module diagnostics, and a
// garbage sweep over every decoder.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <linux/ethtool_netlink.h>
#include <linux/genetlink.h>
#include <linux/rtnetlink.h>

#include <cstdint>
#include <random>

#include "netlink/attr.h"
#include "netlink/ethtool.h"
#include "netlink/genl.h"
#include "netlink/rtnetlink.h"
#include "netlink/sock_diag.h"
#include "netlink/socket.h"
#include "netlink/wireguard.h"
#include "netlink/xfrm.h"
#include "tests/netlink/nl_builder.h"
#include "tests/netlink/recorded_netlink.h"

namespace edgediag::netlink {
namespace {

using testing::AsBytes;
using testing::NlBuilder;

const nlmsghdr& First(const std::vector<std::byte>& b) {
  return *reinterpret_cast<const nlmsghdr*>(b.data());
}

TEST(NetlinkErrorTest, ErrorKeepsExtendedAckText) {
  nlmsgerr e{};
  e.error = -22;  // EINVAL
  e.msg.nlmsg_len = sizeof(nlmsghdr);
  NlBuilder b;
  b.Begin(NLMSG_ERROR, NLM_F_ACK_TLVS | NLM_F_CAPPED).Header(e);
  b.Str(NLMSGERR_ATTR_MSG, "Unknown device type");
  auto bytes = b.Done();
  auto err = ErrorFromMessage(First(bytes), "link dump");
  ASSERT_TRUE(err.has_value());
  EXPECT_EQ(err->code, Error::Code::kIo);
  EXPECT_EQ(err->what, "link dump: Invalid argument (Unknown device type)");
}

TEST(NetlinkErrorTest, ErrorInsideDoneAndPermission) {
  NlBuilder b;
  b.Begin(NLMSG_DONE).Header(std::int32_t{-1});
  auto bytes = b.Done();
  auto err = ErrorFromMessage(First(bytes), "XFRM state dump");
  ASSERT_TRUE(err.has_value());
  EXPECT_EQ(err->code, Error::Code::kPermissionDenied);
  EXPECT_EQ(err->what, "XFRM state dump: Operation not permitted");

  NlBuilder ok;
  ok.Begin(NLMSG_DONE).Header(std::int32_t{0});
  auto okb = ok.Done();
  EXPECT_FALSE(ErrorFromMessage(First(okb), "x").has_value());
}

// Found by netlink_error_fuzz: INT_MIN was negated (undefined behaviour).
TEST(NetlinkErrorTest, ErrorOutsideTheErrnoRangeIsAProtocolError) {
  const struct {
    std::int32_t error;
    std::string what;
  } cases[] = {
      {INT32_MIN, "req: netlink error -2147483648 is no error number"},
      {-4096, "req: netlink error -4096 is no error number"},
      {4096, "req: netlink error 4096 is no error number"},
      {INT32_MAX, "req: netlink error 2147483647 is no error number"},
      {-4095, "req: Unknown error 4095"},
      {1, "req: Operation not permitted"},
  };
  for (const auto& c : cases) {
    NlBuilder b;
    b.Begin(NLMSG_ERROR).Header(nlmsgerr{.error = c.error, .msg = {}});
    auto bytes = b.Done();
    auto err = ErrorFromMessage(First(bytes), "req");
    ASSERT_TRUE(err.has_value()) << c.error;
    EXPECT_EQ(err->what, c.what);
  }
}

TEST(NetlinkErrorTest, TruncatedErrorMessage) {
  NlBuilder b;
  b.Begin(NLMSG_ERROR);
  auto bytes = b.Done();
  auto err = ErrorFromMessage(First(bytes), "req");
  ASSERT_TRUE(err.has_value());
  EXPECT_EQ(err->what, "req: truncated netlink error message");
}

TEST(NetlinkMessagesTest, MisalignedInputIsDecodedFromACopy) {
  auto raw = AsBytes(testdata::kRecordedLink);
  std::vector<std::byte> shifted(raw.size() + 1);
  std::memcpy(shifted.data() + 1, raw.data(), raw.size());
  auto links = DecodeLinks(std::span(shifted).subspan(1));
  ASSERT_TRUE(links.ok());
  EXPECT_EQ(links->items.size(), DecodeLinks(raw)->items.size());
}

TEST(GenlTest, FamilyIdFromReply) {
  genlmsghdr g{CTRL_CMD_NEWFAMILY, 2, 0};
  NlBuilder b;
  b.Begin(GENL_ID_CTRL, 0).Header(g).Str(CTRL_ATTR_FAMILY_NAME, "wireguard");
  b.Scalar<std::uint16_t>(CTRL_ATTR_FAMILY_ID, 0x1d);
  auto id = DecodeFamilyId(b.Done());
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(*id, 0x1d);

  NlBuilder none;
  none.Begin(GENL_ID_CTRL, 0).Header(g);
  EXPECT_EQ(DecodeFamilyId(none.Done()).error().what,
            "generic netlink: reply without a family id");
}

TEST(EthtoolTest, Sff8472RxPowerAndAlarm) {
  std::vector<std::byte> a0(128), a2(128);
  a0[0] = std::byte{0x03};
  a0[92] = std::byte{0x60};  // DDM implemented, internally calibrated
  a2[34] = std::byte{0x00};
  a2[35] = std::byte{0x64};  // 100 * 0.1 uW = 0.01 mW
  a2[104] = std::byte{0x13};
  a2[105] = std::byte{0x88};  // 5000 * 0.1 uW = 0.5 mW
  auto d = ParseSff8472(a0, a2);
  ASSERT_TRUE(d.has_value());
  EXPECT_DOUBLE_EQ(*d->rx_power_mw, 0.5);
  EXPECT_DOUBLE_EQ(*d->rx_power_low_alarm_mw, 0.01);

  a0[92] = std::byte{0x50};  // externally calibrated: not interpreted
  EXPECT_FALSE(ParseSff8472(a0, a2).has_value());
  EXPECT_FALSE(ParseSff8472(std::span(a0).first(10), a2).has_value());
}

TEST(EthtoolTest, Sff8636LaneOneAndPage3Threshold) {
  std::vector<std::byte> lower(128), page3(128);
  lower[0] = std::byte{0x11};
  lower[34] = std::byte{0x27};
  lower[35] = std::byte{0x10};  // 10000 -> 1 mW
  page3[178 - 128] = std::byte{0x00};
  page3[179 - 128] = std::byte{0x32};
  auto d = ParseSff8636(lower, page3);
  ASSERT_TRUE(d.has_value());
  EXPECT_DOUBLE_EQ(*d->rx_power_mw, 1.0);
  EXPECT_DOUBLE_EQ(*d->rx_power_low_alarm_mw, 0.005);
  EXPECT_FALSE(ParseSff8636(lower, {}).value().rx_power_low_alarm_mw.has_value());
}

TEST(EthtoolTest, EepromDataFromReply) {
  genlmsghdr g{ETHTOOL_MSG_MODULE_EEPROM_GET_REPLY, 1, 0};
  NlBuilder b;
  b.Begin(0x15, 0).Header(g).Bytes(ETHTOOL_A_MODULE_EEPROM_DATA, {3, 4, 5});
  auto data = DecodeModuleEepromData(b.Done());
  ASSERT_TRUE(data.ok());
  EXPECT_EQ(data->size(), 3u);
}

TEST(NetlinkMessagesTest, BadMessageStopsBeforeAnyCallback) {
  NlBuilder b;
  b.Begin(RTM_NEWLINK).Header(std::uint32_t{1});
  b.Begin(RTM_NEWLINK).Header(std::uint32_t{2});
  auto bytes = b.Done();
  bytes.resize(bytes.size() - 2);  // the second message runs past the end
  int calls = 0;
  auto r = ForEachMessage(bytes, [&](const nlmsghdr&) { ++calls; });
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(calls, 0);

  bytes = b.Done();
  std::size_t counted = 0;
  r = ForEachMessage(bytes, [&](std::size_t n) { counted = n; }, [&](const nlmsghdr&) { ++calls; });
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(counted, 2u);
  EXPECT_EQ(calls, 2);
}

TEST(NetlinkMessagesTest, Ipv4FormatMatchesInetNtop) {
  for (unsigned v = 0; v < 256; ++v) {
    const unsigned char a[4] = {static_cast<unsigned char>(v), static_cast<unsigned char>(255 - v),
                                static_cast<unsigned char>(v / 2), static_cast<unsigned char>(v % 10)};
    char want[INET_ADDRSTRLEN];
    ASSERT_NE(inet_ntop(AF_INET, a, want, sizeof(want)), nullptr);
    EXPECT_EQ(FormatAddress(AF_INET, a, 4), want);
  }
  EXPECT_EQ(FormatAddress(AF_INET, "\xff\xff\xff\xff", 4), "255.255.255.255");
  EXPECT_EQ(FormatAddress(AF_INET, "\x00\x00\x00\x00", 4), "0.0.0.0");
  EXPECT_EQ(FormatAddress(AF_INET, "\x00\x00\x00", 3), "");
}

TEST(MessageBufferTest, ReceiveInPlaceAppendAndMove) {
  MessageBuffer m;
  std::span<std::byte> tail = m.Tail(64);
  ASSERT_GE(tail.size(), 64u);
  std::memset(tail.data(), 0xab, 12);
  m.Written(12);
  m.Commit(8);
  ASSERT_EQ(m.bytes().size(), 8u);
  EXPECT_EQ(m.bytes()[7], std::byte{0xab});
  // Append pads to 4 bytes and survives growth.
  std::vector<std::byte> big(100000, std::byte{0x5a});
  m.Append(std::span<const std::byte>(big.data(), 5));
  ASSERT_EQ(m.bytes().size(), 16u);
  EXPECT_EQ(m.bytes()[12], std::byte{0x5a});
  EXPECT_EQ(m.bytes()[13], std::byte{0});
  m.Append(big);
  ASSERT_EQ(m.bytes().size(), 16u + 100000u);
  EXPECT_EQ(m.bytes()[7], std::byte{0xab});
  EXPECT_EQ(m.bytes()[16 + 99999], std::byte{0x5a});
  MessageBuffer moved(std::move(m));
  EXPECT_EQ(moved.bytes().size(), 16u + 100000u);
  EXPECT_TRUE(m.bytes().empty());  // NOLINT(bugprone-use-after-move): moved-from is empty
  moved.Wipe();
  EXPECT_TRUE(moved.bytes().empty());
  // What held the messages reads as zero now (the same mapping, reused).
  std::span<std::byte> again = moved.Tail(16 + 100000);
  EXPECT_EQ(again[7], std::byte{0});
  EXPECT_EQ(again[16 + 99999], std::byte{0});
}

// Random and mutated input: every decoder must return (an error or a value)
// without reading out of bounds. The fuzz targets in tests/fuzz go further.
TEST(NetlinkGarbageTest, DecodersSurviveMutatedInput) {
  std::mt19937 rng(1234);
  std::vector<std::span<const std::byte>> seeds = {
      AsBytes(testdata::kRecordedLink), AsBytes(testdata::kRecordedAddr),
      AsBytes(testdata::kRecordedNeigh), AsBytes(testdata::kRecordedRoute),
      AsBytes(testdata::kRecordedDiag)};
  for (int round = 0; round < 3000; ++round) {
    auto seed = seeds[round % seeds.size()];
    std::vector<std::byte> b(seed.begin(), seed.end());
    int flips = 1 + static_cast<int>(rng() % 8);
    for (int i = 0; i < flips; ++i) b[rng() % b.size()] = static_cast<std::byte>(rng());
    if (rng() % 4 == 0) b.resize(rng() % b.size());
    (void)DecodeLinks(b);
    (void)DecodeAddrs(b);
    (void)DecodeNeighs(b);
    (void)DecodeRoutes(b);
    (void)DecodeNetconf(b);
    (void)DecodeInetDiag(b, "salt");
    (void)DecodeWgDevices(b);
    (void)DecodeXfrmStates(b);
    (void)DecodeXfrmPolicies(b);
    (void)DecodeFamilyId(b);
    (void)DecodeModuleEepromData(b);
  }
  SUCCEED();
}

}  // namespace
}  // namespace edgediag::netlink

// The live kernel: a dump has one deadline for the whole exchange, not only
// one per receive (issue #14). With no time left it fails as a timeout and
// names the request; with the socket's own limit the same dump succeeds.
TEST(NetlinkSocketTest, DumpHasAnOverallDeadline) {
  auto sock = edgediag::netlink::NetlinkSocket::Open(NETLINK_ROUTE, std::chrono::milliseconds(2000));
  ASSERT_TRUE(sock) << sock.error().what;
  auto links = edgediag::netlink::ReadLinks(*sock);
  ASSERT_TRUE(links) << links.error().what;
  EXPECT_FALSE(links->items.empty());  // lo at least

  sock->set_limit(std::chrono::milliseconds(0));
  auto late = edgediag::netlink::ReadLinks(*sock);
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().code, edgediag::Error::Code::kTimeout);
  EXPECT_NE(late.error().what.find("not finished within 0 ms"), std::string::npos) << late.error().what;

  // The socket stays usable: the kernel is still running the abandoned dump
  // there (a new one would get EBUSY), so the next exchange starts on a
  // fresh socket.
  sock->set_limit(std::chrono::milliseconds(2000));
  auto again = edgediag::netlink::ReadLinks(*sock);
  ASSERT_TRUE(again) << again.error().what;
  EXPECT_EQ(again->items.size(), links->items.size());
}

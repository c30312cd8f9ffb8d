// The codec on bytes recorded from a real charon 5.9.8 (tests/data/vici/,
// recorded with tests/vici/live/record-vici.py; see bench/vici-bench.sh).
#include <gtest/gtest.h>

#include "tests/support/fake_charon.h"
#include "vici/builder.h"
#include "vici/packet.h"
#include "vici/parser.h"

namespace edgediag::vici {
namespace {

using testing::FakeCharon;

TEST(ViciRecordedTest, VersionReply) {
  auto frames = FakeCharon::Frames(FakeCharon::Fixture("version.bin"));
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].type, PacketType::kCmdResponse);
  auto m = ParseMessage(frames[0].body);
  ASSERT_TRUE(m) << m.error().what;
  EXPECT_EQ(*m->Value("daemon"), "charon");
  EXPECT_EQ(*m->Value("version"), "5.9.8");
}

TEST(ViciRecordedTest, ListConnsStreamsOneEventPerConnection) {
  auto frames = FakeCharon::Frames(FakeCharon::Fixture("list-conns.bin"));
  ASSERT_EQ(frames.size(), 3u);
  EXPECT_EQ(frames[0].type, PacketType::kEvent);
  EXPECT_EQ(frames[0].name, "list-conn");
  EXPECT_EQ(frames[2].type, PacketType::kCmdResponse);
  auto m = ParseMessage(frames[0].body);
  ASSERT_TRUE(m) << m.error().what;
  const Section* site = m->Sub("site-a");
  ASSERT_NE(site, nullptr);
  EXPECT_EQ(*site->List("remote_addrs"), std::vector<std::string>{"198.51.100.7"});
  const Section* child = site->Sub("children")->Sub("lan-to-lan");
  ASSERT_NE(child, nullptr);
  EXPECT_EQ(*child->List("remote-ts"), (std::vector<std::string>{"10.2.0.0/16", "10.3.0.0/24"}));
}

TEST(ViciRecordedTest, EveryRecordedMessageReencodesIdentically) {
  for (const char* name : {"version.bin", "stats.bin", "list-conns.bin", "list-conns-initiator.bin",
                           "list-sas-initiator.bin", "list-sas-responder.bin"}) {
    for (const Packet& p : FakeCharon::Frames(FakeCharon::Fixture(name))) {
      auto m = ParseMessage(p.body);
      ASSERT_TRUE(m) << name << ": " << m.error().what;
      auto again = EncodeMessage(*m);
      ASSERT_TRUE(again) << name;
      EXPECT_EQ(*again, p.body) << name;
    }
  }
}

TEST(ViciRecordedTest, EveryTruncationOfARecordedEventFails) {
  auto frames = FakeCharon::Frames(FakeCharon::Fixture("list-sas-initiator.bin"));
  ASSERT_GE(frames.size(), 2u);
  const auto& body = frames[0].body;  // one top-level section: no valid prefix
  for (std::size_t n = 1; n < body.size(); ++n) {
    EXPECT_FALSE(ParseMessage(std::span(body).first(n))) << "prefix of " << n << " bytes";
  }
}

TEST(ViciRecordedTest, GarbageInARecordedEventIsRejectedNotCrashed) {
  auto frames = FakeCharon::Frames(FakeCharon::Fixture("list-sas-initiator.bin"));
  auto body = frames[0].body;
  int rejected = 0;
  for (std::size_t i = 0; i < body.size(); ++i) {
    auto mutated = body;
    mutated[i] ^= std::byte{0xff};
    if (!ParseMessage(mutated)) ++rejected;
  }
  EXPECT_GT(rejected, 0);
}

}  // namespace
}  // namespace edgediag::vici

// The VICI codec on built bytes, the README's own example, and malformed,
// truncated and oversized input.
#include <gtest/gtest.h>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include "vici/builder.h"
#include "vici/packet.h"
#include "vici/parser.h"

namespace edgediag::vici {
namespace {

std::vector<std::byte> Bytes(std::initializer_list<int> values) {
  std::vector<std::byte> out;
  for (int v : values) out.push_back(static_cast<std::byte>(v));
  return out;
}

void Append(std::vector<std::byte>& out, std::string_view s) {
  for (char c : s) out.push_back(static_cast<std::byte>(c));
}

// The example of strongSwan's vici README ("Message format"), byte by byte.
std::vector<std::byte> ReadmeExample() {
  std::vector<std::byte> b;
  auto u8 = [&](int v) { b.push_back(static_cast<std::byte>(v)); };
  u8(3), u8(4), Append(b, "key1"), u8(0), u8(6), Append(b, "value1");
  u8(1), u8(8), Append(b, "section1");
  u8(1), u8(11), Append(b, "sub-section");
  u8(3), u8(4), Append(b, "key2"), u8(0), u8(6), Append(b, "value2");
  u8(2);
  u8(4), u8(5), Append(b, "list1");
  u8(5), u8(0), u8(5), Append(b, "item1");
  u8(5), u8(0), u8(5), Append(b, "item2");
  u8(6);
  u8(2);
  return b;
}

Result<std::vector<std::byte>> BuildReadmeExample() {
  Builder b;
  b.Add("key1", "value1")
      .BeginSection("section1")
      .BeginSection("sub-section")
      .Add("key2", "value2")
      .EndSection()
      .BeginList("list1")
      .AddItem("item1")
      .AddItem("item2")
      .EndList()
      .EndSection();
  return b.Finish();
}

std::string ErrorOf(std::span<const std::byte> body) {
  auto m = ParseMessage(body);
  return m ? "ok" : m.error().what;
}

TEST(ViciBuilderTest, BuildsTheReadmeExampleByteForByte) {
  auto built = BuildReadmeExample();
  ASSERT_TRUE(built) << built.error().what;
  EXPECT_EQ(*built, ReadmeExample());
}

TEST(ViciBuilderTest, EmptyMessageIsEmpty) {
  auto built = Builder().Finish();
  ASSERT_TRUE(built);
  EXPECT_TRUE(built->empty());
}

TEST(ViciBuilderTest, RejectsMisuseWithTheFirstError) {
  struct Case {
    std::function<void(Builder&)> build;
    std::string error;
  };
  const std::string long_name(256, 'n');
  const std::string long_value(65536, 'v');
  const std::vector<Case> cases = {
      {[](Builder& b) { b.BeginSection("s"); }, "VICI builder: 1 section(s) left open"},
      {[](Builder& b) { b.EndSection(); }, "VICI builder: section end without an open section"},
      {[](Builder& b) { b.BeginList("l"); }, "VICI builder: list left open"},
      {[](Builder& b) { b.AddItem("x"); }, "VICI builder: list item outside a list"},
      {[](Builder& b) { b.EndList(); }, "VICI builder: list end without an open list"},
      {[](Builder& b) { b.BeginList("l").Add("k", "v").EndList(); },
       "VICI builder: key/value \"k\" inside a list"},
      {[](Builder& b) { b.BeginList("l").BeginSection("s"); },
       "VICI builder: section \"s\" inside a list"},
      {[](Builder& b) { b.BeginList("l").BeginList("m"); },
       "VICI builder: list \"m\" inside a list"},
      {[](Builder& b) { b.BeginList("l").EndSection(); },
       "VICI builder: section end inside a list"},
      {[&](Builder& b) { b.Add(long_name, "v"); }, "VICI builder: name of 256 bytes exceeds 255"},
      {[&](Builder& b) { b.Add("k", long_value); },
       "VICI builder: value of 65536 bytes exceeds 65535"},
      {[](Builder& b) {
         for (int i = 0; i <= kMaxDepth; ++i) b.BeginSection("s");
       },
       "VICI builder: section \"s\" nests deeper than 32"},
      {[](Builder& b) {
         b.BeginList("l");
         for (int i = 0; i < 9; ++i) b.AddItem(std::string(60000, 'x'));
         b.EndList();
       },
       "VICI builder: message of 540031 bytes exceeds the 512 KiB limit"},
  };
  for (const Case& c : cases) {
    Builder b;
    c.build(b);
    auto r = b.Finish();
    ASSERT_FALSE(r) << c.error;
    EXPECT_EQ(r.error().code, Error::Code::kInvalidInput);
    EXPECT_EQ(r.error().what, c.error);
  }
}

TEST(ViciParserTest, PullsTheReadmeExampleInOrder) {
  const auto bytes = ReadmeExample();
  Parser p(bytes);
  std::vector<std::string> seen;
  while (true) {
    auto e = p.Next();
    ASSERT_TRUE(e) << e.error().what;
    if (!e->has_value()) break;
    seen.push_back(std::to_string(static_cast<int>((*e)->type)) + ":" + std::string((*e)->name) +
                   "=" + std::string((*e)->value));
  }
  EXPECT_EQ(seen, (std::vector<std::string>{
                      "3:key1=value1", "1:section1=", "1:sub-section=", "3:key2=value2",
                      "2:=", "4:list1=", "5:=item1", "5:=item2", "6:=", "2:="}));
  EXPECT_EQ(p.depth(), 0);
}

TEST(ViciParserTest, BuildsATreeWithLookups) {
  const auto bytes = ReadmeExample();
  auto m = ParseMessage(bytes);
  ASSERT_TRUE(m) << m.error().what;
  ASSERT_NE(m->Value("key1"), nullptr);
  EXPECT_EQ(*m->Value("key1"), "value1");
  const Section* s1 = m->Sub("section1");
  ASSERT_NE(s1, nullptr);
  ASSERT_NE(s1->Sub("sub-section"), nullptr);
  EXPECT_EQ(*s1->Sub("sub-section")->Value("key2"), "value2");
  ASSERT_NE(s1->List("list1"), nullptr);
  EXPECT_EQ(*s1->List("list1"), (std::vector<std::string>{"item1", "item2"}));
  // Lookups are typed: a section is not a value, a value is not a list.
  EXPECT_EQ(m->Value("section1"), nullptr);
  EXPECT_EQ(m->List("key1"), nullptr);
  EXPECT_EQ(m->Sub("missing"), nullptr);
}

TEST(ViciParserTest, RoundTripsThroughEncodeMessage) {
  Message m;
  m.entries.push_back(Entry{Entry::Kind::kValue, "binary", std::string("a\0b\xff", 4), {}, {}});
  m.entries.push_back(Entry{Entry::Kind::kList, "empty-list", "", {}, {}});
  Entry sec{Entry::Kind::kSection, "", "", {}, {}};  // empty names are legal on the wire
  sec.section.entries.push_back(Entry{Entry::Kind::kValue, "k", "", {}, {}});
  m.entries.push_back(sec);
  auto bytes = EncodeMessage(m);
  ASSERT_TRUE(bytes) << bytes.error().what;
  auto back = ParseMessage(*bytes);
  ASSERT_TRUE(back) << back.error().what;
  EXPECT_EQ(*back, m);
}

TEST(ViciParserTest, RejectsMalformedBodiesWithTheOffset) {
  EXPECT_EQ(ErrorOf(Bytes({2})), "VICI message: section end without an open section at byte 0");
  EXPECT_EQ(ErrorOf(Bytes({1, 1, 's'})),
            "VICI message: 1 section(s) left open at the end at byte 3");
  EXPECT_EQ(ErrorOf(Bytes({4, 1, 'l'})), "VICI message: list left open at the end at byte 3");
  EXPECT_EQ(ErrorOf(Bytes({5, 0, 0})), "VICI message: list item outside a list at byte 0");
  EXPECT_EQ(ErrorOf(Bytes({6})), "VICI message: list end without an open list at byte 0");
  EXPECT_EQ(ErrorOf(Bytes({4, 1, 'l', 3, 1, 'k', 0, 0})),
            "VICI message: key/value inside a list at byte 3");
  EXPECT_EQ(ErrorOf(Bytes({4, 1, 'l', 1, 1, 's'})),
            "VICI message: section start inside a list at byte 3");
  EXPECT_EQ(ErrorOf(Bytes({4, 1, 'l', 2})), "VICI message: section end inside a list at byte 3");
  EXPECT_EQ(ErrorOf(Bytes({4, 1, 'l', 4, 1, 'm'})),
            "VICI message: list start inside a list at byte 3");
  EXPECT_EQ(ErrorOf(Bytes({0})), "VICI message: unknown element type 0 at byte 0");
  EXPECT_EQ(ErrorOf(Bytes({7})), "VICI message: unknown element type 7 at byte 0");
  EXPECT_EQ(ErrorOf(Bytes({3})), "VICI message: name length truncated at byte 1");
  EXPECT_EQ(ErrorOf(Bytes({3, 5, 'k'})), "VICI message: name of 5 bytes truncated at byte 1");
  EXPECT_EQ(ErrorOf(Bytes({3, 1, 'k', 0})), "VICI message: value length truncated at byte 3");
  EXPECT_EQ(ErrorOf(Bytes({3, 1, 'k', 0xff, 0xff, 'v'})),
            "VICI message: value of 65535 bytes truncated at byte 3");
}

TEST(ViciParserTest, BoundsNestingDepth) {
  std::vector<std::byte> deep;
  for (int i = 0; i < kMaxDepth; ++i) Append(deep, std::string("\x01\x01s", 3));
  for (int i = 0; i < kMaxDepth; ++i) deep.push_back(std::byte{2});
  EXPECT_EQ(ErrorOf(deep), "ok");
  std::vector<std::byte> deeper;
  for (int i = 0; i <= kMaxDepth; ++i) Append(deeper, std::string("\x01\x01s", 3));
  EXPECT_EQ(ErrorOf(deeper), "VICI message: sections nest deeper than 32 at byte 96");
}

TEST(ViciParserTest, EveryTruncationOfAValidMessageIsAnError) {
  const auto bytes = ReadmeExample();
  const std::size_t after_key1 = 14;  // a complete top-level key/value: valid on its own
  for (std::size_t n = 1; n < bytes.size(); ++n) {
    if (n == after_key1) continue;
    auto m = ParseMessage(std::span(bytes).first(n));
    EXPECT_FALSE(m) << "truncated to " << n << " bytes parsed";
  }
}

TEST(ViciParserTest, ErrorsAreSticky) {
  const auto bytes = Bytes({6, 3, 1, 'k', 0, 0});
  Parser p(bytes);
  auto first = p.Next();
  ASSERT_FALSE(first);
  auto second = p.Next();
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().what, first.error().what);
}

TEST(ViciPacketTest, EncodesNamedAndUnnamedPackets) {
  auto request = EncodePacket(PacketType::kCmdRequest, "version", {});
  ASSERT_TRUE(request);
  auto expected = Bytes({0, 0, 0, 9, 0, 7});
  Append(expected, "version");
  EXPECT_EQ(*request, expected);
  auto confirm = EncodePacket(PacketType::kEventConfirm, "", {});
  ASSERT_TRUE(confirm);
  EXPECT_EQ(*confirm, Bytes({0, 0, 0, 1, 5}));
}

TEST(ViciPacketTest, RejectsBadPacketsToEncode) {
  auto unnamed = EncodePacket(PacketType::kEvent, "", {});
  ASSERT_FALSE(unnamed);
  EXPECT_EQ(unnamed.error().what, "VICI EVENT needs a name");
  auto named = EncodePacket(PacketType::kCmdResponse, "x", {});
  ASSERT_FALSE(named);
  EXPECT_EQ(named.error().what, "VICI CMD_RESPONSE carries no name");
  std::vector<std::byte> big(kMaxFrame, std::byte{0});
  auto too_big = EncodePacket(PacketType::kCmdResponse, "", big);
  ASSERT_FALSE(too_big);
  EXPECT_EQ(too_big.error().what, "VICI frame of 524289 bytes exceeds the 512 KiB limit");
}

TEST(ViciPacketTest, DecodesAFrameRoundTrip) {
  const auto body = ReadmeExample();
  auto bytes = EncodePacket(PacketType::kEvent, "list-sa", body);
  ASSERT_TRUE(bytes);
  auto len = DecodeFrameLength(*bytes);
  ASSERT_TRUE(len);
  EXPECT_EQ(*len, bytes->size() - kLengthSize);
  auto packet = DecodePacket(std::span(*bytes).subspan(kLengthSize));
  ASSERT_TRUE(packet) << packet.error().what;
  EXPECT_EQ(packet->type, PacketType::kEvent);
  EXPECT_EQ(packet->name, "list-sa");
  EXPECT_EQ(packet->body, body);
}

TEST(ViciPacketTest, CapsTheFrameLengthBeforeAllocating) {
  EXPECT_EQ(DecodeFrameLength(Bytes({0, 0, 0})).error().what,
            "VICI length prefix truncated: 3 of 4 bytes");
  EXPECT_EQ(DecodeFrameLength(Bytes({0, 0, 0, 0})).error().what, "VICI frame of length 0");
  EXPECT_EQ(DecodeFrameLength(Bytes({0, 8, 0, 1})).error().what,
            "VICI frame of 524289 bytes exceeds the 512 KiB limit");
  EXPECT_EQ(DecodeFrameLength(Bytes({0xff, 0xff, 0xff, 0xff})).error().what,
            "VICI frame of 4294967295 bytes exceeds the 512 KiB limit");
  auto max = DecodeFrameLength(Bytes({0, 8, 0, 0}));
  ASSERT_TRUE(max);
  EXPECT_EQ(*max, kMaxFrame);
}

TEST(ViciPacketTest, RejectsMalformedFrames) {
  EXPECT_EQ(DecodePacket({}).error().what, "VICI frame is empty");
  EXPECT_EQ(DecodePacket(Bytes({8})).error().what, "unknown VICI packet type 8");
  EXPECT_EQ(DecodePacket(Bytes({0})).error().what,
            "VICI CMD_REQUEST packet truncated before its name");
  EXPECT_EQ(DecodePacket(Bytes({7, 4, 'a'})).error().what,
            "VICI EVENT name of 4 bytes truncated at 1");
  auto unnamed = DecodePacket(Bytes({1, 3, 1, 'k', 0, 0}));
  ASSERT_TRUE(unnamed);
  EXPECT_EQ(unnamed->name, "");
  EXPECT_EQ(unnamed->body.size(), 5u);
}

}  // namespace
}  // namespace edgediag::vici

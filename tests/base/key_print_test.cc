#include "base/key_print.h"

#include <gtest/gtest.h>

namespace edgediag {
namespace {

constexpr char kSalt[] = "salt-for-tests";

TEST(HmacSha256, MatchesRfc4231TestCase2) {
  EXPECT_EQ(HmacSha256Hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(HmacSha256, MatchesRfc4231TestCase6LongKey) {
  std::string key(131, '\xaa');
  EXPECT_EQ(HmacSha256Hex(key, "Test Using Larger Than Block-Size Key - Hash Key First"),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST(DescribeKey, PlainAsciiKeyHasNoUnusualCharacters) {
  auto p = DescribeKey(std::string_view("Ex4mpleDXkey"), kSalt);
  EXPECT_EQ(p.length_bytes, 12u);
  EXPECT_EQ(p.length_chars, 12u);
  EXPECT_TRUE(p.valid_utf8);
  EXPECT_FALSE(p.leading_whitespace);
  EXPECT_FALSE(p.trailing_whitespace);
  EXPECT_TRUE(p.unusual.empty());
}

TEST(DescribeKey, NoBreakSpaceIsNamedWithItsPosition) {
  auto p = DescribeKey(std::string_view("abcdef\xc2\xa0gh"), kSalt);
  EXPECT_EQ(p.length_bytes, 10u);
  EXPECT_EQ(p.length_chars, 9u);
  ASSERT_EQ(p.unusual.size(), 1u);
  EXPECT_EQ(p.unusual[0].position, 7u);
  EXPECT_EQ(p.unusual[0].code_point, 0xa0u);
  EXPECT_EQ(DescribeCodePoint(0xa0), "U+00A0 NO-BREAK SPACE");
}

TEST(DescribeKey, FingerprintsNeverContainTheKey) {
  auto p = DescribeKey(std::string_view("supersecret"), kSalt);
  for (const auto* fp : {&p.fp_raw, &p.fp_trimmed, &p.fp_folded, &p.fp_normalised}) {
    EXPECT_EQ(fp->find("supersecret"), std::string::npos);
    EXPECT_EQ(fp->size(), 32u);
  }
}

TEST(DescribeKey, SaltChangesTheFingerprint) {
  EXPECT_NE(DescribeKey(std::string_view("k"), "a").fp_raw,
            DescribeKey(std::string_view("k"), "b").fp_raw);
}

TEST(DescribeKey, InvalidUtf8IsDescribedByteWise) {
  auto p = DescribeKey(std::string_view("ab\xff"), kSalt);
  EXPECT_FALSE(p.valid_utf8);
  EXPECT_EQ(p.length_chars, 3u);
  ASSERT_EQ(p.unusual.size(), 1u);
  EXPECT_EQ(p.unusual[0].code_point, kOtherNonAscii);
}

TEST(DescribeKey, LettersBeyondAsciiAreClassedNotNamed) {
  auto p = DescribeKey(std::string_view("\xd0\xbf\xd0\xb0ss"), kSalt);  // Cyrillic "pa"
  ASSERT_EQ(p.unusual.size(), 2u);
  EXPECT_EQ(p.unusual[0].code_point, kOtherNonAscii);
  EXPECT_EQ(DescribeCodePoint(kOtherNonAscii), "a non-ASCII character (may look like an ASCII letter)");
}

struct CompareCase {
  const char* a;
  const char* b;
  KeyDifference want;
};

class CompareKeysTest : public ::testing::TestWithParam<CompareCase> {};

TEST_P(CompareKeysTest, SaysHowTwoKeysDiffer) {
  auto c = GetParam();
  EXPECT_EQ(CompareKeys(DescribeKey(std::string_view(c.a), kSalt),
                        DescribeKey(std::string_view(c.b), kSalt)),
            c.want);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, CompareKeysTest,
    ::testing::Values(CompareCase{"Ex4mple", "Ex4mple", KeyDifference::kEqual},
                      CompareCase{"Ex4mple", "Ex4mple ", KeyDifference::kWhitespace},
                      CompareCase{"Ex4mple", " Ex4mple", KeyDifference::kWhitespace},
                      CompareCase{"Ex4mple", "Ex4mple\t", KeyDifference::kWhitespace},
                      CompareCase{"Ex4 mple", "Ex4\xc2\xa0mple", KeyDifference::kUnicodeSpaces},
                      CompareCase{"Ex4 mple", "Ex4\xc2\xa0mple ", KeyDifference::kWhitespaceAndUnicode},
                      CompareCase{"Ex4mple", "Ex4\xe2\x80\x8bmple", KeyDifference::kUnicodeSpaces},
                      CompareCase{"Ex4mple", "Ex5mple", KeyDifference::kDifferent},
                      CompareCase{"Ex4mple", "", KeyDifference::kDifferent}));

}  // namespace
}  // namespace edgediag

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

namespace edgediag {
namespace {

// The scheme of record (HMAC-SHA256 under the salt, 4 rounds): a change of
// one bit shows here. Saved snapshots hold fingerprints, but none can be
// compared across runs (each run has its own salt), so the scheme may
// change between versions, and this table with it.
TEST(DescribeKey, FingerprintsAreTheSchemeOfRecord) {
  struct Case {
    std::string_view key;
    const char *raw, *trimmed, *folded, *normalised;
  };
  const Case cases[] = {
      {"Ex4mpleDXkey", "38a6157e117fd6b92c073dfe2a61f1ef", "38a6157e117fd6b92c073dfe2a61f1ef",
       "38a6157e117fd6b92c073dfe2a61f1ef", "38a6157e117fd6b92c073dfe2a61f1ef"},
      {" Ex4mpleDXkey ", "95ad1b84e2431d63357dec162bafecfc", "38a6157e117fd6b92c073dfe2a61f1ef",
       "95ad1b84e2431d63357dec162bafecfc", "38a6157e117fd6b92c073dfe2a61f1ef"},
      {"abcdef\xc2\xa0gh", "412a4b3aa544bd5d745a7574f799490c", "412a4b3aa544bd5d745a7574f799490c",
       "21ceb7df32d80f992f1c7f6fdb79c612", "21ceb7df32d80f992f1c7f6fdb79c612"},
      {" ab\xe2\x80\x8b" "cd\xc2\xa0", "e90e2e3e2285bcec1d0a79c68bdb2644",
       "29b061cce4b9494d6dea11d9d6d1037f", "aad351497637a22c7a220974cb3cf1ac",
       "da54436751c7ddf1dd452aa6228b183b"},
      {"", "e7de3a63faa1f15b63ff34548e8d6470", "e7de3a63faa1f15b63ff34548e8d6470",
       "e7de3a63faa1f15b63ff34548e8d6470", "e7de3a63faa1f15b63ff34548e8d6470"},
      {"ab\xff", "a4e332f1285ccb7bf152233dfe9b2d5c", "a4e332f1285ccb7bf152233dfe9b2d5c",
       "a4e332f1285ccb7bf152233dfe9b2d5c", "a4e332f1285ccb7bf152233dfe9b2d5c"},
      {"0123456789012345678901234567890123456789012345678901234567890123456789012345678",
       "b089532eab56131217c7effe3d6b6e7b", "b089532eab56131217c7effe3d6b6e7b",
       "b089532eab56131217c7effe3d6b6e7b", "b089532eab56131217c7effe3d6b6e7b"},
  };
  for (const auto& c : cases) {
    auto p = DescribeKey(c.key, kSalt);
    EXPECT_EQ(p.fp_raw, c.raw) << c.key;
    EXPECT_EQ(p.fp_trimmed, c.trimmed) << c.key;
    EXPECT_EQ(p.fp_folded, c.folded) << c.key;
    EXPECT_EQ(p.fp_normalised, c.normalised) << c.key;
  }
  // A salt longer than SHA-256's block is hashed first, as HMAC says.
  EXPECT_EQ(DescribeKey(std::string_view("k"), std::string(100, 's')).fp_raw,
            "a7d8c529622774a5ee1b85bb3784521b");
}

TEST(NewKeySalt, SixteenRandomBytesInHex) {
  std::string a = NewKeySalt(), b = NewKeySalt();
  EXPECT_EQ(a.size(), 32u);
  EXPECT_EQ(a.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_NE(a, b);
}

}  // namespace
}  // namespace edgediag

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

// Fingerprints made by the hand-written SHA-256 this scheme first used: the
// move to libcrypto must not change one bit (saved snapshots and state files
// hold them).
TEST(DescribeKey, FingerprintsAreTheSchemeOfRecord) {
  struct Case {
    std::string_view key;
    const char *raw, *trimmed, *folded, *normalised;
  };
  const Case cases[] = {
      {"Ex4mpleDXkey", "b4bca0d3b890f432aa3d975e1ba57ef9", "b4bca0d3b890f432aa3d975e1ba57ef9",
       "b4bca0d3b890f432aa3d975e1ba57ef9", "b4bca0d3b890f432aa3d975e1ba57ef9"},
      {" Ex4mpleDXkey ", "e285cbd7d57d0d660b7b1605bcc29e16", "b4bca0d3b890f432aa3d975e1ba57ef9",
       "e285cbd7d57d0d660b7b1605bcc29e16", "b4bca0d3b890f432aa3d975e1ba57ef9"},
      {"abcdef\xc2\xa0gh", "5959af1a7c0ad2cf0914b6666f5aa3a5", "5959af1a7c0ad2cf0914b6666f5aa3a5",
       "e554e65cdc328a9f1455164c85e9dbdd", "e554e65cdc328a9f1455164c85e9dbdd"},
      {" ab\xe2\x80\x8b" "cd\xc2\xa0", "d802c40f811f339f237bc40ae83e3c4d",
       "66af2a13ccc184db81c0664f5a4c96c9", "c7b0fb836ee6001e548e35839207edb6",
       "cfb13237de2698c29a8b3fc267894562"},
      {"", "d871d8f428da11cc97647bc194e7a205", "d871d8f428da11cc97647bc194e7a205",
       "d871d8f428da11cc97647bc194e7a205", "d871d8f428da11cc97647bc194e7a205"},
      {"ab\xff", "816420a9bc5c37812b2a795e673b5021", "816420a9bc5c37812b2a795e673b5021",
       "816420a9bc5c37812b2a795e673b5021", "816420a9bc5c37812b2a795e673b5021"},
      {"0123456789012345678901234567890123456789012345678901234567890123456789012345678",
       "3392a62e990d9ffc564c8a96f0372187", "3392a62e990d9ffc564c8a96f0372187",
       "3392a62e990d9ffc564c8a96f0372187", "3392a62e990d9ffc564c8a96f0372187"},
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
            "d763a5e582d956722f976c25bfdabf93");
}

TEST(NewKeySalt, SixteenRandomBytesInHex) {
  std::string a = NewKeySalt(), b = NewKeySalt();
  EXPECT_EQ(a.size(), 32u);
  EXPECT_EQ(a.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_NE(a, b);
}

}  // namespace
}  // namespace edgediag

// The one way edgediag looks at a secret key (BGP MD5 authKey, TCP-MD5 key
// bytes on a kernel socket): it keeps the key's *properties* and keyed
// fingerprints of the key and its normalised forms, never the key. Two keys
// described with the same salt can then be compared ("equal but for a
// trailing space", "equal but for U+00A0 at position 7") without either key
// reaching a snapshot, a log or the screen.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace edgediag {

/// Stands for a non-ASCII character that is neither a space, zero-width nor
/// control character: its code point is not kept (it is part of the key).
inline constexpr std::uint32_t kOtherNonAscii = 0xffffffff;

/// A character worth naming: non-ASCII, or an ASCII control character.
struct KeyCharacter {
  std::size_t position = 0;  ///< 1-based character position in the key
  std::uint32_t code_point = 0;  ///< exact for invisible characters, else kOtherNonAscii
  bool operator==(const KeyCharacter&) const = default;
};

/// What may be known about a key without knowing the key.
struct KeyProperties {
  std::size_t length_bytes = 0;
  std::size_t length_chars = 0;  ///< UTF-8 code points (bytes when not UTF-8)
  bool valid_utf8 = true;
  bool leading_whitespace = false;   ///< ASCII or Unicode space at the start
  bool trailing_whitespace = false;  ///< ASCII or Unicode space at the end
  std::vector<KeyCharacter> unusual;  ///< non-ASCII and control characters
  /// Keyed fingerprints (hex): the key as is; with surrounding white space
  /// trimmed; with Unicode spaces folded to ASCII and zero-width characters
  /// dropped; both.
  std::string fp_raw, fp_trimmed, fp_folded, fp_normalised;
  bool operator==(const KeyProperties&) const = default;
};

/// How two keys described with the same salt differ.
enum class KeyDifference {
  kEqual,
  kWhitespace,       ///< equal once leading/trailing white space is trimmed
  kUnicodeSpaces,    ///< equal once Unicode spaces are folded to ASCII
  kWhitespaceAndUnicode,  ///< equal once both are done
  kDifferent,
};

/// A fresh random salt (hex) for one snapshot.
std::string NewKeySalt();

/// Overwrites `bytes` with zeros in a way the compiler may not drop (key
/// material about to be freed).
void WipeBytes(std::span<char> bytes);

/// Describes `key` (raw bytes; UTF-8 expected but not required).
KeyProperties DescribeKey(std::span<const std::byte> key, std::string_view salt);
KeyProperties DescribeKey(std::string_view key, std::string_view salt);

/// Compares two descriptions made with the same salt.
KeyDifference CompareKeys(const KeyProperties& a, const KeyProperties& b);

/// "U+00A0 NO-BREAK SPACE" for the characters a human would not see, or
/// "a non-ASCII character (...)" for kOtherNonAscii.
std::string DescribeCodePoint(std::uint32_t code_point);

/// True for the code points folded to an ASCII space.
bool IsUnicodeSpace(std::uint32_t code_point);

/// HMAC-SHA256, exposed for tests (RFC 4231 vectors).
std::string HmacSha256Hex(std::string_view key, std::string_view message);

}  // namespace edgediag

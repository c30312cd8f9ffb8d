#include "base/json_writer.h"

#include <cmath>
#include <cstdint>
#include <cstring>

namespace edgediag {
namespace {

// Length of the valid UTF-8 sequence at s[i] (lead byte >= 0x80), 0 if none.
std::size_t Utf8Sequence(std::string_view s, std::size_t i) {
  auto at = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = at(i);
  std::size_t n = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 ? 2 : 0;
  if (n == 0 || c > 0xf4 || i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k)
    if ((at(i + k) & 0xc0) != 0x80) return 0;
  unsigned char c1 = at(i + 1);
  if (c == 0xe0 && c1 < 0xa0) return 0;   // overlong
  if (c == 0xed && c1 >= 0xa0) return 0;  // surrogates
  if (c == 0xf0 && c1 < 0x90) return 0;   // overlong
  if (c == 0xf4 && c1 >= 0x90) return 0;  // above U+10FFFF
  return n;
}

// True when none of the 8 bytes at p needs a look: no control character, no
// '"' or '\\', nothing at or above 0x80 (the has-less-than and has-zero-byte
// tests of "Bit Twiddling Hacks", exact for whether any byte matches).
bool PlainBlock(const char* p) {
  constexpr std::uint64_t kOnes = 0x0101010101010101, kHigh = 0x8080808080808080;
  std::uint64_t w;
  std::memcpy(&w, p, sizeof(w));
  std::uint64_t quote = w ^ (kOnes * '"'), backslash = w ^ (kOnes * '\\');
  std::uint64_t hits = ((w - kOnes * 0x20) & ~w) | ((quote - kOnes) & ~quote) |
                       ((backslash - kOnes) & ~backslash) | w;
  return (hits & kHigh) == 0;
}

}  // namespace

void JsonWriter::Number(double v) {
  if (!std::isfinite(v)) {
    Null();
    return;
  }
  Comma();
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof(buf), v);
  std::string_view s(buf, static_cast<std::size_t>(r.ptr - buf));
  Put(s.data(), s.size());
  // Keep it a floating-point number when read back, as nlohmann writes "1.0".
  if (s.find_first_of(".e") == std::string_view::npos) Put(".0", 2);
}

void JsonWriter::String(std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  Comma();
  Reserve(s.size() + 2);  // the usual case: nothing to escape
  Put('"');
  std::size_t i = 0, plain = 0;
  while (i < s.size()) {
    // Eight bytes at a time through the plain stretches.
    while (i + 8 <= s.size() && PlainBlock(s.data() + i)) i += 8;
    if (i >= s.size()) break;
    auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
      ++i;
      continue;
    }
    if (c >= 0x80) {
      if (std::size_t n = Utf8Sequence(s, i)) {
        i += n;
        continue;
      }
    }
    Put(s.data() + plain, i - plain);
    switch (c) {
      case '"': Put("\\\"", 2); break;
      case '\\': Put("\\\\", 2); break;
      case '\b': Put("\\b", 2); break;
      case '\f': Put("\\f", 2); break;
      case '\n': Put("\\n", 2); break;
      case '\r': Put("\\r", 2); break;
      case '\t': Put("\\t", 2); break;
      default:
        if (c < 0x20) {
          const char esc[] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 15]};
          Put(esc, sizeof(esc));
        } else {
          Put("\xef\xbf\xbd", 3);  // U+FFFD for a byte that is no UTF-8
        }
    }
    plain = ++i;
  }
  Put(s.data() + plain, s.size() - plain);
  Put('"');
}

}  // namespace edgediag

#include "key_print.h"

#include <array>
#include <cstring>
#include <fstream>
#include <random>

namespace edgediag {
namespace {

// SHA-256 (FIPS 180-4): small and self-contained so that no crypto library is
// needed just to fingerprint a key.
class Sha256 {
 public:
  void Update(const unsigned char* p, std::size_t n) {
    total_ += n;
    while (n > 0) {
      std::size_t take = std::min(n, sizeof(buf_) - used_);
      std::memcpy(buf_ + used_, p, take);
      used_ += take;
      p += take;
      n -= take;
      if (used_ == sizeof(buf_)) {
        Block(buf_);
        used_ = 0;
      }
    }
  }
  void Update(std::string_view s) {
    Update(reinterpret_cast<const unsigned char*>(s.data()), s.size());
  }
  std::array<unsigned char, 32> Final() {
    std::uint64_t bits = total_ * 8;
    unsigned char pad = 0x80;
    Update(&pad, 1);
    unsigned char zero = 0;
    while (used_ != 56) Update(&zero, 1);
    unsigned char len[8];
    for (int i = 0; i < 8; ++i) len[i] = static_cast<unsigned char>(bits >> (56 - 8 * i));
    Update(len, 8);
    std::array<unsigned char, 32> out{};
    for (int i = 0; i < 8; ++i)
      for (int j = 0; j < 4; ++j) out[4 * i + j] = static_cast<unsigned char>(h_[i] >> (24 - 8 * j));
    return out;
  }

 private:
  static std::uint32_t Rotr(std::uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }
  void Block(const unsigned char* p) {
    static constexpr std::uint32_t k[64] = {
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
        0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
        0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
        0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
        0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
        0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
        0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
        0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
        0xc67178f2};
    std::uint32_t w[64];
    for (int i = 0; i < 16; ++i)
      w[i] = (std::uint32_t{p[4 * i]} << 24) | (std::uint32_t{p[4 * i + 1]} << 16) |
             (std::uint32_t{p[4 * i + 2]} << 8) | std::uint32_t{p[4 * i + 3]};
    for (int i = 16; i < 64; ++i) {
      std::uint32_t s0 = Rotr(w[i - 15], 7) ^ Rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
      std::uint32_t s1 = Rotr(w[i - 2], 17) ^ Rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
      w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    std::uint32_t a = h_[0], b = h_[1], c = h_[2], d = h_[3], e = h_[4], f = h_[5], g = h_[6],
                  h = h_[7];
    for (int i = 0; i < 64; ++i) {
      std::uint32_t t1 = h + (Rotr(e, 6) ^ Rotr(e, 11) ^ Rotr(e, 25)) + ((e & f) ^ (~e & g)) + k[i] + w[i];
      std::uint32_t t2 = (Rotr(a, 2) ^ Rotr(a, 13) ^ Rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
      h = g;
      g = f;
      f = e;
      e = d + t1;
      d = c;
      c = b;
      b = a;
      a = t1 + t2;
    }
    h_[0] += a;
    h_[1] += b;
    h_[2] += c;
    h_[3] += d;
    h_[4] += e;
    h_[5] += f;
    h_[6] += g;
    h_[7] += h;
  }

  std::uint32_t h_[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                         0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  unsigned char buf_[64] = {};
  std::size_t used_ = 0;
  std::uint64_t total_ = 0;
};

std::string Hex(const unsigned char* p, std::size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string s;
  s.reserve(2 * n);
  for (std::size_t i = 0; i < n; ++i) {
    s += kDigits[p[i] >> 4];
    s += kDigits[p[i] & 15];
  }
  return s;
}

// Iterated so that a fingerprint is a slower oracle for guessing a short
// key. The salt never leaves the host (saved snapshots drop it; the state
// file is root's, 0600), so a few rounds suffice, and the keys of 50 VIFs
// and their bgpd sockets cost a few milliseconds (bench/dx-bench.sh).
constexpr int kRounds = 32;

// HMAC-SHA256 keyed once: the padded key blocks are absorbed a single time
// and the hash state copied for every round.
class KeyedHmac {
 public:
  explicit KeyedHmac(std::string_view key) {
    unsigned char k[64] = {};
    if (key.size() > 64) {
      Sha256 h;
      h.Update(key);
      auto d = h.Final();
      std::memcpy(k, d.data(), d.size());
    } else {
      std::memcpy(k, key.data(), key.size());
    }
    unsigned char ipad[64], opad[64];
    for (int i = 0; i < 64; ++i) {
      ipad[i] = k[i] ^ 0x36;
      opad[i] = k[i] ^ 0x5c;
    }
    inner_.Update(ipad, 64);
    outer_.Update(opad, 64);
  }
  std::array<unsigned char, 32> Mac(const unsigned char* p, std::size_t n) const {
    Sha256 in = inner_;
    in.Update(p, n);
    auto d = in.Final();
    Sha256 out = outer_;
    out.Update(d.data(), d.size());
    return out.Final();
  }

 private:
  Sha256 inner_, outer_;
};

std::string Fingerprint(std::string_view form, const KeyedHmac& mac) {
  auto d = mac.Mac(reinterpret_cast<const unsigned char*>(form.data()), form.size());
  std::array<unsigned char, 32> acc = d;
  for (int i = 1; i < kRounds; ++i) {
    d = mac.Mac(d.data(), d.size());
    for (std::size_t j = 0; j < acc.size(); ++j) acc[j] ^= d[j];
  }
  return Hex(acc.data(), 16);
}

// One decoded character: its code point and where its bytes are.
struct Char {
  std::uint32_t cp;
  std::size_t begin, end;
};

// Decodes UTF-8 strictly; on failure every byte is its own "character".
std::vector<Char> Decode(std::string_view s, bool* valid) {
  std::vector<Char> out;
  *valid = true;
  std::size_t i = 0;
  while (i < s.size()) {
    auto b = static_cast<unsigned char>(s[i]);
    int n = b < 0x80 ? 1 : (b >> 5) == 6 ? 2 : (b >> 4) == 14 ? 3 : (b >> 3) == 30 ? 4 : 0;
    std::uint32_t cp = n == 1 ? b : n == 2 ? (b & 0x1f) : n == 3 ? (b & 0x0f) : (b & 0x07);
    bool ok = n > 0 && i + n <= s.size();
    for (int j = 1; ok && j < n; ++j) {
      auto c = static_cast<unsigned char>(s[i + j]);
      if ((c >> 6) != 2) ok = false;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (ok && ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
               cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)))
      ok = false;
    if (!ok) {
      *valid = false;
      out.clear();
      for (std::size_t k = 0; k < s.size(); ++k)
        out.push_back({static_cast<unsigned char>(s[k]), k, k + 1});
      return out;
    }
    out.push_back({cp, i, i + n});
    i += n;
  }
  return out;
}

bool IsZeroWidth(std::uint32_t cp) {
  return cp == 0x200b || cp == 0x200c || cp == 0x200d || cp == 0x2060 || cp == 0xfeff;
}

bool IsSpace(std::uint32_t cp) {
  return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == '\v' || cp == '\f' ||
         IsUnicodeSpace(cp) || IsZeroWidth(cp);
}

std::string Trim(std::string_view s, const std::vector<Char>& chars) {
  std::size_t b = 0, e = chars.size();
  while (b < e && IsSpace(chars[b].cp)) ++b;
  while (e > b && IsSpace(chars[e - 1].cp)) --e;
  if (b == e) return {};
  return std::string(s.substr(chars[b].begin, chars[e - 1].end - chars[b].begin));
}

std::string Fold(std::string_view s, const std::vector<Char>& chars) {
  std::string out;
  for (const auto& c : chars) {
    if (IsZeroWidth(c.cp)) continue;
    if (IsUnicodeSpace(c.cp))
      out += ' ';
    else
      out.append(s.substr(c.begin, c.end - c.begin));
  }
  return out;
}

}  // namespace

bool IsUnicodeSpace(std::uint32_t cp) {
  return cp == 0xa0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200a) || cp == 0x202f ||
         cp == 0x205f || cp == 0x3000;
}

std::string HmacSha256Hex(std::string_view key, std::string_view message) {
  auto d = KeyedHmac(key).Mac(reinterpret_cast<const unsigned char*>(message.data()), message.size());
  return Hex(d.data(), d.size());
}

std::string NewKeySalt() {
  unsigned char b[16] = {};
  std::ifstream urandom("/dev/urandom", std::ios::binary);
  if (!urandom.read(reinterpret_cast<char*>(b), sizeof(b))) {
    std::random_device rd;
    for (auto& x : b) x = static_cast<unsigned char>(rd());
  }
  return Hex(b, sizeof(b));
}

KeyProperties DescribeKey(std::string_view key, std::string_view salt) {
  KeyProperties p;
  p.length_bytes = key.size();
  auto chars = Decode(key, &p.valid_utf8);
  p.length_chars = chars.size();
  if (!chars.empty()) {
    p.leading_whitespace = IsSpace(chars.front().cp);
    p.trailing_whitespace = IsSpace(chars.back().cp);
  }
  for (std::size_t i = 0; i < chars.size(); ++i) {
    std::uint32_t cp = chars[i].cp;
    if (cp < 0x80 && cp >= 0x20 && cp != 0x7f) continue;
    // Spaces, zero-width and control characters carry no secret and are
    // named exactly; any other non-ASCII character is only classed, since
    // its code point would give away part of the key.
    bool invisible = cp < 0x20 || cp == 0x7f || IsUnicodeSpace(cp) || IsZeroWidth(cp);
    p.unusual.push_back({i + 1, invisible ? cp : kOtherNonAscii});
  }
  std::string trimmed = Trim(key, chars);
  std::string folded = Fold(key, chars);
  bool v = true;
  auto tchars = Decode(trimmed, &v);
  std::string normalised = Fold(trimmed, tchars);
  KeyedHmac mac(salt);
  // Most keys are plain ASCII with no white space: their four forms are the
  // same string, and one fingerprint serves them all.
  p.fp_raw = Fingerprint(key, mac);
  p.fp_trimmed = trimmed == key ? p.fp_raw : Fingerprint(trimmed, mac);
  p.fp_folded = folded == key ? p.fp_raw : Fingerprint(folded, mac);
  p.fp_normalised = normalised == key         ? p.fp_raw
                    : normalised == trimmed   ? p.fp_trimmed
                    : normalised == folded    ? p.fp_folded
                                              : Fingerprint(normalised, mac);
  return p;
}

KeyProperties DescribeKey(std::span<const std::byte> key, std::string_view salt) {
  return DescribeKey(std::string_view(reinterpret_cast<const char*>(key.data()), key.size()), salt);
}

KeyDifference CompareKeys(const KeyProperties& a, const KeyProperties& b) {
  if (a.fp_raw == b.fp_raw) return KeyDifference::kEqual;
  if (a.fp_trimmed == b.fp_trimmed) return KeyDifference::kWhitespace;
  if (a.fp_folded == b.fp_folded) return KeyDifference::kUnicodeSpaces;
  if (a.fp_normalised == b.fp_normalised) return KeyDifference::kWhitespaceAndUnicode;
  return KeyDifference::kDifferent;
}

std::string DescribeCodePoint(std::uint32_t cp) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "U+%04X", cp);
  std::string s = buf;
  switch (cp) {
    case 0x09: return s + " TAB";
    case 0x0a: return s + " LINE FEED";
    case 0x0d: return s + " CARRIAGE RETURN";
    case 0xa0: return s + " NO-BREAK SPACE";
    case 0x200b: return s + " ZERO WIDTH SPACE";
    case 0x200c: return s + " ZERO WIDTH NON-JOINER";
    case 0x200d: return s + " ZERO WIDTH JOINER";
    case 0x2060: return s + " WORD JOINER";
    case 0xfeff: return s + " BYTE ORDER MARK";
    case 0x202f: return s + " NARROW NO-BREAK SPACE";
    case 0x3000: return s + " IDEOGRAPHIC SPACE";
    default: break;
  }
  if (cp == kOtherNonAscii) return "a non-ASCII character (may look like an ASCII letter)";
  if (cp >= 0x2000 && cp <= 0x200a) return s + " (Unicode space)";
  if (cp < 0x20 || cp == 0x7f) return s + " (control character)";
  return s + " (non-ASCII, may look like an ASCII letter)";
}

}  // namespace edgediag

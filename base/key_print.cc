#include "base/key_print.h"

#include <fcntl.h>
#include <nettle/hmac.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>

namespace edgediag {
namespace {

using Digest = std::array<unsigned char, 32>;

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

// Iterated a few times, so that a fingerprint is a slower oracle for
// guessing a short key. It is only ever one: the salt is made for each run,
// held in memory and never written (saved snapshots keep fingerprints no
// salt can be found for), so whoever could ask the oracle could read the
// key from bgpd's memory too. 32 rounds cost ~10 ms over the keys of 200
// VIFs and their bgpd sockets, on the path bench/dx-bench.sh times; 4 cost
// a few hundred microseconds.
constexpr int kRounds = 4;

// HMAC-SHA256 from nettle, keyed once: each message starts from a copy of
// the keyed state (the padded key blocks already absorbed), so each of the
// rounds costs two compressions, and the one object may serve any thread.
class KeyedHmac {
 public:
  explicit KeyedHmac(std::string_view key) {
    // An empty view may hold a null pointer: nettle is given a real one.
    static const std::uint8_t kNone = 0;
    hmac_sha256_set_key(&keyed_, key.size(),
                        key.empty() ? &kNone : reinterpret_cast<const std::uint8_t*>(key.data()));
  }
  ~KeyedHmac() { explicit_bzero(&keyed_, sizeof(keyed_)); }  // the key's blocks
  KeyedHmac(const KeyedHmac&) = delete;
  KeyedHmac& operator=(const KeyedHmac&) = delete;

  Digest Mac(const unsigned char* p, std::size_t n) const {
    hmac_sha256_ctx ctx = keyed_;
    hmac_sha256_update(&ctx, n, p);
    Digest d{};
    hmac_sha256_digest(&ctx, d.size(), d.data());
    explicit_bzero(&ctx, sizeof(ctx));
    return d;
  }

 private:
  hmac_sha256_ctx keyed_;
};

std::string Fingerprint(std::string_view form, const KeyedHmac& mac) {
  Digest d = mac.Mac(reinterpret_cast<const unsigned char*>(form.data()), form.size());
  Digest acc = d;
  for (int i = 1; i < kRounds; ++i) {
    d = mac.Mac(d.data(), d.size());
    for (std::size_t j = 0; j < acc.size(); ++j) acc[j] ^= d[j];
  }
  std::string fp = Hex(acc.data(), 16);
  // The first digest is the key's HMAC: not to be left on the stack.
  explicit_bzero(d.data(), d.size());
  explicit_bzero(acc.data(), acc.size());
  return fp;
}

// A copy of key bytes, zeroed when it goes.
struct SecretString {
  std::string s;
  ~SecretString() {
    if (!s.empty()) explicit_bzero(s.data(), s.size());
  }
};

// One decoded character: its code point and where its bytes are.
struct Char {
  std::uint32_t cp;
  std::size_t begin, end;
};

// Decodes UTF-8 strictly; on failure every byte is its own "character".
std::vector<Char> Decode(std::string_view s, bool* valid) {
  std::vector<Char> out;
  out.reserve(s.size());  // at most one per byte: no reallocation leaves a copy behind
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

void Wipe(std::vector<Char>& chars) {
  if (!chars.empty()) explicit_bzero(chars.data(), chars.size() * sizeof(Char));
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
  out.reserve(s.size());  // never longer: no reallocation leaves a copy behind
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

namespace {

// getrandom(2) is missing before Linux 3.17 and may be filtered by a
// seccomp policy: the device is the fallback.
bool ReadUrandom(unsigned char* b, std::size_t n) {
  int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  std::size_t got = 0;
  while (got < n) {
    ssize_t r = read(fd, b + got, n - got);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    got += static_cast<std::size_t>(r);
  }
  close(fd);
  return got == n;
}

}  // namespace

std::string NewKeySalt() {
  unsigned char b[16] = {};
  ssize_t n;
  // 16 bytes never come short from getrandom(2) once the pool is ready (it
  // blocks until then); only a signal may interrupt the wait.
  while ((n = getrandom(b, sizeof(b), 0)) < 0 && errno == EINTR) {
  }
  if (n != static_cast<ssize_t>(sizeof(b)) && !ReadUrandom(b, sizeof(b))) {
    // A guessable salt would make every fingerprint a fast oracle for the
    // key: better no run at all.
    std::fputs("edgediag: no random bytes for the key salt (getrandom and /dev/urandom failed)\n",
               stderr);
    std::abort();
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
  // Copies of the key, and its code points: wiped when they go.
  SecretString trimmed{Trim(key, chars)};
  SecretString folded{Fold(key, chars)};
  bool v = true;
  auto tchars = Decode(trimmed.s, &v);
  SecretString normalised{Fold(trimmed.s, tchars)};
  Wipe(chars);
  Wipe(tchars);
  KeyedHmac mac(salt);
  // Most keys are plain ASCII with no white space: their four forms are the
  // same string, and one fingerprint serves them all.
  p.fp_raw = Fingerprint(key, mac);
  p.fp_trimmed = trimmed.s == key ? p.fp_raw : Fingerprint(trimmed.s, mac);
  p.fp_folded = folded.s == key ? p.fp_raw : Fingerprint(folded.s, mac);
  p.fp_normalised = normalised.s == key         ? p.fp_raw
                    : normalised.s == trimmed.s ? p.fp_trimmed
                    : normalised.s == folded.s  ? p.fp_folded
                                                : Fingerprint(normalised.s, mac);
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

void WipeBytes(std::span<char> bytes) { explicit_bzero(bytes.data(), bytes.size()); }

}  // namespace edgediag

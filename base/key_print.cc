#include "base/key_print.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include <sys/random.h>

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

// HMAC-SHA256 from libcrypto, keyed once: re-initialising without a key
// starts from the padded key blocks already absorbed, so each of the rounds
// costs two compressions, as the hand-written one it replaced did.
class KeyedHmac {
 public:
  explicit KeyedHmac(std::string_view key) {
    // Fetched once per process; EVP_MAC is shared between threads.
    static EVP_MAC* const mac = EVP_MAC_fetch(nullptr, OSSL_MAC_NAME_HMAC, nullptr);
    ctx_ = mac ? EVP_MAC_CTX_new(mac) : nullptr;
    char digest[] = OSSL_DIGEST_NAME_SHA2_256;
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                           OSSL_PARAM_construct_end()};
    // An empty key still needs a non-null pointer to count as a key.
    static const unsigned char kNone = 0;
    const auto* k = key.empty() ? &kNone : reinterpret_cast<const unsigned char*>(key.data());
    // Only a libcrypto without SHA-256 or out of memory fails here: no
    // fingerprint can be made, and none may be faked.
    if (!ctx_ || !EVP_MAC_init(ctx_, k, key.size(), params)) throw std::bad_alloc();
  }
  ~KeyedHmac() { EVP_MAC_CTX_free(ctx_); }  // cleanses the key blocks
  KeyedHmac(const KeyedHmac&) = delete;
  KeyedHmac& operator=(const KeyedHmac&) = delete;

  Digest Mac(const unsigned char* p, std::size_t n) const {
    Digest d{};
    std::size_t len = 0;
    if (!EVP_MAC_init(ctx_, nullptr, 0, nullptr) || !EVP_MAC_update(ctx_, p, n) ||
        !EVP_MAC_final(ctx_, d.data(), &len, d.size()) || len != d.size())
      throw std::bad_alloc();
    return d;
  }

 private:
  EVP_MAC_CTX* ctx_ = nullptr;
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
  OPENSSL_cleanse(d.data(), d.size());
  OPENSSL_cleanse(acc.data(), acc.size());
  return fp;
}

// A copy of key bytes, zeroed when it goes.
struct SecretString {
  std::string s;
  ~SecretString() {
    if (!s.empty()) OPENSSL_cleanse(s.data(), s.size());
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
  if (!chars.empty()) OPENSSL_cleanse(chars.data(), chars.size() * sizeof(Char));
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

std::string NewKeySalt() {
  unsigned char b[16] = {};
  ssize_t n;
  // 16 bytes never come short from getrandom(2) once the pool is ready (it
  // blocks until then); only a signal may interrupt the wait.
  while ((n = getrandom(b, sizeof(b), 0)) < 0 && errno == EINTR) {
  }
  if (n != static_cast<ssize_t>(sizeof(b)) && RAND_bytes(b, sizeof(b)) != 1) {
    // A guessable salt would make every fingerprint a fast oracle for the
    // key: better no run at all.
    std::fputs("edgediag: no random bytes for the key salt (getrandom and libcrypto failed)\n",
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

void WipeBytes(std::span<char> bytes) { OPENSSL_cleanse(bytes.data(), bytes.size()); }

}  // namespace edgediag

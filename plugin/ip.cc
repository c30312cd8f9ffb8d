#include "plugin/ip.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

namespace edgediag::plugin {

std::string Prefix::Address() const {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(family == 6 ? AF_INET6 : AF_INET, bytes.data(), buf, sizeof(buf));
  return buf;
}

std::string Prefix::ToString() const { return Address() + "/" + std::to_string(len); }

Prefix Prefix::Network() const {
  Prefix p = *this;
  int bytes_len = family == 6 ? 16 : 4;
  for (int i = 0; i < bytes_len; ++i) {
    int keep = len - 8 * i;
    if (keep >= 8) continue;
    p.bytes[i] &= keep <= 0 ? 0 : static_cast<std::uint8_t>(0xff << (8 - keep));
  }
  return p;
}

bool Prefix::Contains(const Prefix& addr) const {
  if (family != addr.family || addr.len < len) return false;
  Prefix a = addr;
  a.len = len;
  return a.Network().bytes == Network().bytes;
}

std::optional<Prefix> ParseAddress(std::string_view address, int prefixlen) {
  Prefix p;
  // inet_pton wants a C string; an IPv4 address's copy stays in the
  // string's own buffer.
  std::string s(address);
  if (inet_pton(AF_INET, s.c_str(), p.bytes.data()) == 1) {
    p.family = 4;
  } else if (inet_pton(AF_INET6, s.c_str(), p.bytes.data()) == 1) {
    p.family = 6;
  } else {
    return std::nullopt;
  }
  p.len = prefixlen < 0 ? p.MaxLen() : prefixlen;
  if (p.len > p.MaxLen()) return std::nullopt;
  return p;
}

std::optional<Prefix> ParsePrefix(std::string_view text) {
  auto slash = text.find('/');
  if (slash == std::string_view::npos) return ParseAddress(text);
  int len = -1;
  auto lenpart = text.substr(slash + 1);
  auto [ptr, ec] = std::from_chars(lenpart.data(), lenpart.data() + lenpart.size(), len);
  if (ec != std::errc() || ptr != lenpart.data() + lenpart.size() || len < 0) return std::nullopt;
  return ParseAddress(text.substr(0, slash), len);
}

}  // namespace edgediag::plugin

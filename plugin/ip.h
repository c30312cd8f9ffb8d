// IP addresses and prefixes as values: parsing, containment, printing.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace edgediag::plugin {

/// An IPv4 or IPv6 prefix; an address is a prefix of full length.
struct Prefix {
  int family = 0;  ///< 4 or 6; 0 = invalid
  std::array<std::uint8_t, 16> bytes{};
  int len = 0;

  int MaxLen() const { return family == 6 ? 128 : 32; }
  /// The address part, without length ("169.254.10.1").
  std::string Address() const;
  /// "169.254.10.0/30"-style text of this prefix as written (host bits kept).
  std::string ToString() const;
  /// The prefix with host bits cleared.
  Prefix Network() const;
  /// True when `addr` (any length) lies inside this prefix.
  bool Contains(const Prefix& addr) const;
  bool SameAddress(const Prefix& other) const { return family == other.family && bytes == other.bytes; }
  bool operator==(const Prefix&) const = default;
};

/// Parses "ADDR" or "ADDR/LEN". nullopt when malformed.
std::optional<Prefix> ParsePrefix(std::string_view text);
/// Parses an address with an explicit length given separately.
std::optional<Prefix> ParseAddress(std::string_view address, int prefixlen = -1);

/// IP and ICMP echo headers: ping's -s payload is the packet size less this.
inline constexpr std::uint32_t EchoHeaderBytes(int family) { return family == 6 ? 48 : 28; }
/// IP and TCP headers without options: a TCP MSS is the MTU less this.
inline constexpr std::uint32_t TcpHeaderBytes(int family) { return family == 6 ? 60 : 40; }

}  // namespace edgediag::plugin

// What every decoder in netlink/ takes and gives: raw bytes in, plain items
// and warnings out. Free of libmnl and kernel headers, as every public
// header of netlink/ is: the attribute parsing stays inside (attr.h).
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <vector>

namespace edgediag::netlink {

/// Raw bytes as received from a netlink socket or a recording.
using Bytes = std::span<const std::byte>;

/// What a decoder produced, and what it had to leave out: one line per
/// attribute left unset (known type, wrong size) or message skipped as too
/// short ("RTM_NEWLINK: attribute 4 is 2 bytes, not 4").
template <typename T>
struct Decoded {
  std::vector<T> items;
  std::vector<std::string> warnings;
};

}  // namespace edgediag::netlink

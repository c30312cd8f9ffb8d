// libFuzzer: rtnetlink decoders (links, addresses, neighbours, routes) over
// arbitrary bytes. Seeds: tests/netlink/recorded_netlink.h.
#include <cstddef>
#include <cstdint>
#include <span>

#include "netlink/rtnetlink.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::span<const std::byte> bytes(reinterpret_cast<const std::byte*>(data), size);
  (void)edgediag::netlink::DecodeLinks(bytes);
  (void)edgediag::netlink::DecodeAddrs(bytes);
  (void)edgediag::netlink::DecodeNeighs(bytes);
  (void)edgediag::netlink::DecodeRoutes(bytes);
  return 0;
}

// libFuzzer: RTM_NEWNETCONF decoder (rp_filter and forwarding per interface).
#include <cstddef>
#include <cstdint>
#include <span>

#include "netlink/rtnetlink.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::span<const std::byte> bytes(reinterpret_cast<const std::byte*>(data), size);
  (void)edgediag::netlink::DecodeNetconf(bytes);
  return 0;
}

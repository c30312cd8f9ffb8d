// libFuzzer: WireGuard device dump decoder (split devices and peers) and the
// generic netlink family reply.
#include <cstddef>
#include <cstdint>
#include <span>

#include "netlink/genl.h"
#include "netlink/wireguard.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::span<const std::byte> bytes(reinterpret_cast<const std::byte*>(data), size);
  (void)edgediag::netlink::DecodeWgDevices(bytes);
  (void)edgediag::netlink::DecodeFamilyId(bytes);
  return 0;
}

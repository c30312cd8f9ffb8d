// libFuzzer: XFRM state/policy decoders and ethtool module EEPROM parsing.
#include <cstddef>
#include <cstdint>
#include <span>

#include "netlink/ethtool.h"
#include "netlink/xfrm.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::span<const std::byte> bytes(reinterpret_cast<const std::byte*>(data), size);
  (void)edgediag::netlink::DecodeXfrmStates(bytes);
  (void)edgediag::netlink::DecodeXfrmPolicies(bytes);
  (void)edgediag::netlink::DecodeModuleEepromData(bytes);
  std::size_t half = size / 2;
  (void)edgediag::netlink::ParseSff8472(bytes.first(half), bytes.subspan(half));
  (void)edgediag::netlink::ParseSff8636(bytes.first(half), bytes.subspan(half));
  return 0;
}

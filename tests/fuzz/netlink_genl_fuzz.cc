// libFuzzer: generic netlink replies: the controller's CTRL_CMD_NEWFAMILY
// (family id) and ethtool's ETHTOOL_MSG_MODULE_EEPROM_GET_REPLY, whose data
// then goes to the SFF-8472 / SFF-8636 parsers as the collector hands it on.
#include <cstddef>
#include <cstdint>
#include <span>

#include "netlink/ethtool.h"
#include "netlink/genl.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace edgediag::netlink;  // NOLINT: a fuzz entry point
  std::span<const std::byte> bytes(reinterpret_cast<const std::byte*>(data), size);
  (void)DecodeFamilyId(bytes);
  if (auto eeprom = DecodeModuleEepromData(bytes); eeprom.ok()) {
    std::span<const std::byte> e(*eeprom);
    const std::size_t half = std::min<std::size_t>(128, e.size());
    (void)ParseSff8472(e.first(half), e.subspan(half));
    (void)ParseSff8636(e.first(half), e.subspan(half));
  }
  return 0;
}

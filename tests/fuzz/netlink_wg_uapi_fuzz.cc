// libFuzzer: the userspace WireGuard UAPI `get=1` reply decoder.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "netlink/wg_uapi.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)edgediag::netlink::DecodeUapiGet("wg0", text);
  return 0;
}

// libFuzzer: /proc/net/netstat, xfrm_stat and sysctl text parsers.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "netlink/proc_counters.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)edgediag::netlink::ParseNetstat(text);
  (void)edgediag::netlink::ParseXfrmStat(text);
  (void)edgediag::netlink::ParseSysctlInt(text);
  return 0;
}

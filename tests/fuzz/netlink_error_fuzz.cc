// libFuzzer: netlink message framing (every decoder's first step) and the
// errors inside NLMSG_ERROR and NLMSG_DONE, with and without extended ACK
// TLVs and the echoed request, as NetlinkSocket reads them off the socket.
#include <linux/netlink.h>

#include <cstddef>
#include <cstdint>
#include <span>

#include "netlink/attr.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace edgediag::netlink;  // NOLINT: a fuzz entry point
  std::span<const std::byte> bytes(reinterpret_cast<const std::byte*>(data), size);
  (void)ForEachMessage(bytes, [](const nlmsghdr& nlh) {
    // Every type, not only NLMSG_ERROR/DONE: the function must be safe on
    // whatever header it is handed.
    (void)ErrorFromMessage(nlh, "fuzz");
  });
  return 0;
}

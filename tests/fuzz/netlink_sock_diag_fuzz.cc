// libFuzzer: inet_diag decoder, INET_DIAG_MD5SIG and tcp_info included.
#include <cstddef>
#include <cstdint>
#include <span>

#include "netlink/sock_diag.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::span<const std::byte> bytes(reinterpret_cast<const std::byte*>(data), size);
  (void)edgediag::netlink::DecodeInetDiag(bytes, "fuzz-salt");
  (void)edgediag::netlink::DecodeInetDiag(bytes, "fuzz-salt", {179});
  return 0;
}

// libFuzzer: strongSwan's list-conns and list-sas events, from frames to the
// Snapshot's IpsecConnection and IkeSa values (plugin/ipsec_vici.h), the way
// capture_ipsec.cc reads them. Seeds: tests/data/vici/*.bin.
#include <cstddef>
#include <cstdint>
#include <span>

#include "plugin/ipsec_vici.h"
#include "vici/packet.h"
#include "vici/parser.h"

namespace {
void Read(const edgediag::vici::Message& m) {
  edgediag::plugin::ViciWarnings w;
  (void)edgediag::plugin::ConnectionsFromListConn(m, w);
  (void)edgediag::plugin::IkeSasFromListSa(m, w);
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace edgediag::vici;  // NOLINT: a fuzz entry point
  std::span<const std::byte> in(reinterpret_cast<const std::byte*>(data), size);
  std::span<const std::byte> rest = in;
  bool framed = false;
  while (rest.size() >= kLengthSize) {
    auto len = DecodeFrameLength(rest);
    if (!len || rest.size() - kLengthSize < *len) break;
    if (auto packet = DecodePacket(rest.subspan(kLengthSize, *len)); packet) {
      framed = true;
      if (auto m = ParseMessage(packet->body); m) Read(*m);
    }
    rest = rest.subspan(kLengthSize + *len);
  }
  // Not frames: the bytes as one message body.
  if (!framed)
    if (auto m = ParseMessage(in); m) Read(*m);
  return 0;
}

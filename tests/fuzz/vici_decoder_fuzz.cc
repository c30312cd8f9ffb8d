// libFuzzer target for the VICI decoder: frame length, packet header, and
// message body (pull parser and tree). Whatever decodes must re-encode to the
// same bytes; nothing may crash, hang or allocate more than the frame cap.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "vici/builder.h"
#include "vici/packet.h"
#include "vici/parser.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace edgediag::vici;  // NOLINT: a fuzz entry point
  std::span<const std::byte> in(reinterpret_cast<const std::byte*>(data), size);

  // As a stream of frames, the way the client reads a socket.
  std::span<const std::byte> rest = in;
  while (rest.size() >= kLengthSize) {
    auto len = DecodeFrameLength(rest);
    if (!len || rest.size() - kLengthSize < *len) break;
    auto packet = DecodePacket(rest.subspan(kLengthSize, *len));
    if (packet) {
      auto message = ParseMessage(packet->body);
      if (message) {
        // The builder keeps room for the largest packet header, so bodies
        // within that much of the cap may decode but not re-encode.
        auto again = EncodeMessage(*message);
        const bool fits = packet->body.size() <= kMaxFrame - 2 - kMaxNameSize;
        if (fits && (!again || *again != packet->body)) std::abort();
      }
    }
    rest = rest.subspan(kLengthSize + *len);
  }

  // As a bare message body, pulled element by element.
  Parser parser(in);
  for (int i = 0; i <= static_cast<int>(size); ++i) {
    auto e = parser.Next();
    if (!e || !e->has_value()) break;
  }
  return 0;
}

// VICI packet framing (strongSwan src/libcharon/plugins/vici/README.md):
//   u32 big-endian length of what follows, u8 packet type, then for named
//   types a u8 name length and the name, then the message body.
// Pure: bytes in, values out. No I/O.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace edgediag::vici {

/// The largest frame (bytes after the length field) we accept or send.
/// charon's own limit (VICI_MESSAGE_SIZE_MAX, 512 KiB); checked before allocating.
inline constexpr std::size_t kMaxFrame = 512 * 1024;
/// Bytes of the length field that precedes every frame.
inline constexpr std::size_t kLengthSize = 4;

enum class PacketType : std::uint8_t {
  kCmdRequest = 0,  ///< named
  kCmdResponse = 1,
  kCmdUnknown = 2,
  kEventRegister = 3,    ///< named
  kEventUnregister = 4,  ///< named
  kEventConfirm = 5,
  kEventUnknown = 6,
  kEvent = 7,  ///< named
};

/// Whether packets of `type` carry a name.
bool IsNamed(PacketType type);
/// "CMD_REQUEST", "EVENT", ... for messages; "type N" for unknown values.
std::string PacketTypeName(std::uint8_t type);

/// A decoded frame. `body` is the undecoded message (see parser.h).
struct Packet {
  PacketType type = PacketType::kCmdResponse;
  std::string name;  ///< empty for unnamed types
  std::vector<std::byte> body;
  bool operator==(const Packet&) const = default;
};

/// Reads the 4-byte length prefix; rejects 0 and anything over kMaxFrame.
Result<std::uint32_t> DecodeFrameLength(std::span<const std::byte> prefix);

/// Decodes one frame (the bytes after the length prefix).
Result<Packet> DecodePacket(std::span<const std::byte> frame);

/// Encodes a whole packet, length prefix included. `name` is required for
/// named types and must be empty otherwise; the frame must fit kMaxFrame.
Result<std::vector<std::byte>> EncodePacket(PacketType type, std::string_view name,
                                            std::span<const std::byte> body);

}  // namespace edgediag::vici

#include "vici/packet.h"

#include <fmt/format.h>

#include <cstring>

namespace edgediag::vici {

bool IsNamed(PacketType type) {
  return type == PacketType::kCmdRequest || type == PacketType::kEventRegister ||
         type == PacketType::kEventUnregister || type == PacketType::kEvent;
}

std::string PacketTypeName(std::uint8_t type) {
  static constexpr const char* kNames[] = {
      "CMD_REQUEST",      "CMD_RESPONSE",  "CMD_UNKNOWN",   "EVENT_REGISTER",
      "EVENT_UNREGISTER", "EVENT_CONFIRM", "EVENT_UNKNOWN", "EVENT"};
  if (type < std::size(kNames)) return kNames[type];
  return fmt::format("type {}", type);
}

Result<std::uint32_t> DecodeFrameLength(std::span<const std::byte> prefix) {
  if (prefix.size() < kLengthSize) {
    return MakeError(Error::Code::kProtocol,
                     fmt::format("VICI length prefix truncated: {} of 4 bytes", prefix.size()));
  }
  std::uint32_t len = 0;
  for (std::size_t i = 0; i < kLengthSize; ++i) {
    len = (len << 8) | std::to_integer<std::uint32_t>(prefix[i]);
  }
  if (len == 0) return MakeError(Error::Code::kProtocol, "VICI frame of length 0");
  if (len > kMaxFrame) {
    return MakeError(Error::Code::kProtocol,
                     fmt::format("VICI frame of {} bytes exceeds the 512 KiB limit", len));
  }
  return len;
}

Result<Packet> DecodePacket(std::span<const std::byte> frame) {
  if (frame.empty()) return MakeError(Error::Code::kProtocol, "VICI frame is empty");
  if (frame.size() > kMaxFrame) {
    return MakeError(Error::Code::kProtocol,
                     fmt::format("VICI frame of {} bytes exceeds the 512 KiB limit", frame.size()));
  }
  const auto raw_type = std::to_integer<std::uint8_t>(frame[0]);
  if (raw_type > static_cast<std::uint8_t>(PacketType::kEvent)) {
    return MakeError(Error::Code::kProtocol, fmt::format("unknown VICI packet type {}", raw_type));
  }
  Packet packet;
  packet.type = static_cast<PacketType>(raw_type);
  std::size_t pos = 1;
  if (IsNamed(packet.type)) {
    if (frame.size() < 2) {
      return MakeError(
          Error::Code::kProtocol,
          fmt::format("VICI {} packet truncated before its name", PacketTypeName(raw_type)));
    }
    const std::size_t name_len = std::to_integer<std::size_t>(frame[1]);
    pos = 2;
    if (frame.size() - pos < name_len) {
      return MakeError(Error::Code::kProtocol,
                       fmt::format("VICI {} name of {} bytes truncated at {}",
                                   PacketTypeName(raw_type), name_len, frame.size() - pos));
    }
    packet.name.assign(reinterpret_cast<const char*>(frame.data() + pos), name_len);
    pos += name_len;
  }
  packet.body.assign(frame.begin() + static_cast<std::ptrdiff_t>(pos), frame.end());
  return packet;
}

Result<std::vector<std::byte>> EncodePacket(PacketType type, std::string_view name,
                                            std::span<const std::byte> body) {
  const bool named = IsNamed(type);
  if (named && name.empty()) {
    return MakeError(
        Error::Code::kInvalidInput,
        fmt::format("VICI {} needs a name", PacketTypeName(static_cast<std::uint8_t>(type))));
  }
  if (!named && !name.empty()) {
    return MakeError(
        Error::Code::kInvalidInput,
        fmt::format("VICI {} carries no name", PacketTypeName(static_cast<std::uint8_t>(type))));
  }
  if (name.size() > 255) {
    return MakeError(Error::Code::kInvalidInput,
                     fmt::format("VICI packet name of {} bytes exceeds 255", name.size()));
  }
  const std::size_t frame = 1 + (named ? 1 + name.size() : 0) + body.size();
  if (frame > kMaxFrame) {
    return MakeError(Error::Code::kInvalidInput,
                     fmt::format("VICI frame of {} bytes exceeds the 512 KiB limit", frame));
  }
  std::vector<std::byte> out;
  out.reserve(kLengthSize + frame);
  for (int shift = 24; shift >= 0; shift -= 8) {
    out.push_back(static_cast<std::byte>((frame >> shift) & 0xff));
  }
  out.push_back(static_cast<std::byte>(type));
  if (named) {
    out.push_back(static_cast<std::byte>(name.size()));
    for (char c : name) out.push_back(static_cast<std::byte>(c));
  }
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

}  // namespace edgediag::vici

// VICI message elements (strongSwan vici README, "Message format"): each is a
// u8 type; names are u8-length-prefixed, values u16-big-endian-length-prefixed.
#pragma once

#include <cstddef>
#include <cstdint>

namespace edgediag::vici {

enum class ElementType : std::uint8_t {
  kSectionStart = 1,  ///< name
  kSectionEnd = 2,
  kKeyValue = 3,   ///< name, value
  kListStart = 4,  ///< name
  kListItem = 5,   ///< value
  kListEnd = 6,
};

/// Deepest section nesting accepted or built. charon's own replies nest
/// about 5 deep (list-conns: conn > children > child); 32 leaves headroom
/// while keeping a hostile peer from driving recursion.
inline constexpr int kMaxDepth = 32;
/// Longest name (u8 length) and value (u16 length) the wire can carry.
inline constexpr std::size_t kMaxNameSize = 255;
inline constexpr std::size_t kMaxValueSize = 65535;

}  // namespace edgediag::vici

// Shared by the decoders in netlink/: walking a buffer of netlink messages and
// the libmnl two-step attribute parse (validate into a table indexed by type,
// then read typed values with their lengths checked). Not for use outside
// netlink/: the public headers are one per kernel source.
#pragma once

#include <libmnl/libmnl.h>
#include <linux/netlink.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string.h>
#include <optional>
#include <utility>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "netlink/decoded.h"

namespace edgediag::netlink {

/// Attributes of one message or nest, indexed by type. Types above Max are
/// skipped (newer kernels add attributes); duplicates keep the last one.
template <int Max>
struct AttrTable {
  std::array<const nlattr*, Max + 1> attr{};
  /// Bytes after the last whole attribute: a truncated or garbage tail.
  bool trailing_garbage = false;
  const nlattr* operator[](int type) const {
    return type >= 0 && type <= Max ? attr[static_cast<std::size_t>(type)] : nullptr;
  }
};

// Inline equivalents of libmnl's mnl_attr_ok / _get_type / _get_payload /
// _get_payload_len: the decoders call them for every attribute of every
// message, and a call into the shared library costs more than the check.

/// An attribute header and its whole payload fit in `left` bytes.
inline bool AttrOk(const nlattr* a, long left) {
  return left >= static_cast<long>(sizeof(nlattr)) && a->nla_len >= sizeof(nlattr) &&
         static_cast<long>(a->nla_len) <= left;
}
inline int AttrType(const nlattr* a) { return a->nla_type & NLA_TYPE_MASK; }
inline const void* AttrPayload(const nlattr* a) {
  return reinterpret_cast<const char*>(a) + MNL_ATTR_HDRLEN;
}
inline std::size_t AttrPayloadLen(const nlattr* a) { return a->nla_len - MNL_ATTR_HDRLEN; }

/// Fills `table` from `len` bytes of attributes at `data` (4-byte aligned).
template <int Max>
void ParseAttrs(const void* data, std::size_t len, AttrTable<Max>& table) {
  const auto* a = static_cast<const nlattr*>(data);
  long left = static_cast<long>(len);
  while (AttrOk(a, left)) {
    int type = AttrType(a);
    if (type <= Max) table.attr[static_cast<std::size_t>(type)] = a;
    long step = static_cast<long>(MNL_ALIGN(a->nla_len));
    left -= step;
    a = reinterpret_cast<const nlattr*>(reinterpret_cast<const char*>(a) + step);
  }
  // A final attribute padded short of its alignment is still whole.
  if (left > 0) table.trailing_garbage = true;
}

/// Fills `table` from the attributes after a family header of `hdrlen` bytes.
/// False when the message is too short for that header.
template <int Max>
bool ParseMessageAttrs(const nlmsghdr* nlh, std::size_t hdrlen, AttrTable<Max>& table) {
  std::size_t payload = nlh->nlmsg_len - NLMSG_HDRLEN;
  std::size_t offset = MNL_ALIGN(hdrlen);
  if (payload < hdrlen) return false;
  if (payload <= offset) return true;
  ParseAttrs(reinterpret_cast<const char*>(nlh) + NLMSG_HDRLEN + offset, payload - offset, table);
  return true;
}

/// Fills `table` from a nested attribute.
template <int Max>
void ParseNested(const nlattr* nest, AttrTable<Max>& table) {
  ParseAttrs(AttrPayload(nest), AttrPayloadLen(nest), table);
}

/// Calls `fn(const nlattr*)` for each attribute inside `nest` (arrays of
/// nests indexed 0, 1, ...). False when bytes are left that are no attribute.
template <typename Fn>
bool ForEachNested(const nlattr* nest, Fn&& fn) {
  const auto* a = static_cast<const nlattr*>(AttrPayload(nest));
  long left = static_cast<long>(AttrPayloadLen(nest));
  while (AttrOk(a, left)) {
    fn(a);
    long step = static_cast<long>(MNL_ALIGN(a->nla_len));
    left -= step;
    a = reinterpret_cast<const nlattr*>(reinterpret_cast<const char*>(a) + step);
  }
  return left <= 0;
}

/// The payload of an attribute.
inline Bytes Payload(const nlattr* a) {
  return {static_cast<const std::byte*>(AttrPayload(a)), AttrPayloadLen(a)};
}

/// Attributes of a known type with the wrong size, and other oddities that
/// leave one field unset rather than failing the whole decode, in words.
/// Decoders set `where` to the message type before each message.
class Warnings {
 public:
  const char* where = "";
  /// One more: "WHERE: text". Past kKept only counted.
  void Add(std::string_view text);
  /// "attribute TYPE is N bytes, not M".
  void BadSize(const nlattr* a, std::size_t want);
  /// The texts, and a last line for those only counted.
  std::vector<std::string> Take();

 private:
  // A corrupt dump of 10,000 peers would otherwise keep 10,000 lines.
  static constexpr std::size_t kKept = 32;
  std::vector<std::string> texts_;
  std::size_t more_ = 0;
};

/// A fixed-size scalar: exactly sizeof(T) bytes, else unset and a warning.
template <typename T>
std::optional<T> Scalar(const nlattr* a, Warnings& w) {
  if (!a) return std::nullopt;
  if (AttrPayloadLen(a) != sizeof(T)) {
    w.BadSize(a, sizeof(T));
    return std::nullopt;
  }
  T v;
  std::memcpy(&v, AttrPayload(a), sizeof(T));
  return v;
}

/// A big-endian 16-bit value (network byte order attributes).
std::optional<std::uint16_t> Be16(const nlattr* a, Warnings& w);

/// A string that must be NUL-terminated inside the payload.
std::optional<std::string> String(const nlattr* a, Warnings& w);

/// Copies the struct at the start of a payload: what came, the rest zeroed
/// (the kernel may send a shorter or a longer struct than we know).
template <typename T>
std::size_t CopyStruct(const nlattr* a, T& out) {
  std::memset(&out, 0, sizeof(T));
  std::size_t n = std::min<std::size_t>(AttrPayloadLen(a), sizeof(T));
  std::memcpy(&out, AttrPayload(a), n);
  return n;
}

/// Writes "192.0.2.1" for 4 bytes at `data` to `out` (room for 16) and
/// returns the end; as inet_ntop, without its sprintf.
char* FormatIpv4(const void* data, char* out);

/// "192.0.2.1" / "2001:db8::1" from 4 or 16 bytes; "" for other lengths.
std::string FormatAddress(int family, const void* data, std::size_t len);
/// Same, from an attribute payload whose length must match the family.
std::optional<std::string> AddressAttr(int family, const nlattr* a, Warnings& w);
/// "aa:bb:cc:dd:ee:ff" for any length of link-layer address.
std::string FormatLladdr(Bytes bytes);

/// Calls `fn(const nlmsghdr&)` for each message in `buf`. Errors when a
/// message header or length runs past the buffer, and then calls `fn` for
/// none of them. Copies the buffer first when it is not 4-byte aligned, so
/// callers may pass any span.
template <typename Fn>
Result<void> ForEachMessage(Bytes buf, Fn&& fn);
/// Same, and calls `start(count)` with the number of messages once they are
/// all checked and before `fn` sees the first (to reserve room).
template <typename Start, typename Fn>
Result<void> ForEachMessage(Bytes buf, Start&& start, Fn&& fn);

namespace detail {
/// Checks every message header and length in `buf` (aligned). Its count on
/// success.
Result<std::size_t> CheckMessages(Bytes buf);
/// The buffer as 4-byte aligned bytes: itself, or a copy in `aligned`.
Bytes Aligned(Bytes buf, std::vector<std::byte>& aligned);
}  // namespace detail

template <typename Fn>
Result<void> ForEachMessage(Bytes buf, Fn&& fn) {
  return ForEachMessage(buf, [](std::size_t) {}, std::forward<Fn>(fn));
}

template <typename Start, typename Fn>
Result<void> ForEachMessage(Bytes buf, Start&& start, Fn&& fn) {
  std::vector<std::byte> aligned;
  struct Wiper {  // the copy may hold key material, as the caller's buffer may
    std::vector<std::byte>& b;
    ~Wiper() {
      if (!b.empty()) explicit_bzero(b.data(), b.size());
    }
  } wiper{aligned};
  Bytes a = detail::Aligned(buf, aligned);
  // Two passes over the (cached) headers rather than a vector of pointers:
  // check all, then hand them out.
  auto checked = detail::CheckMessages(a);
  if (!checked) return checked.error();
  start(*checked);
  std::size_t off = 0;
  while (off < a.size()) {
    const auto* nlh = reinterpret_cast<const nlmsghdr*>(a.data() + off);
    fn(*nlh);
    off += std::min<std::size_t>(NLMSG_ALIGN(nlh->nlmsg_len), a.size() - off);
  }
  return {};
}

/// The Error of an NLMSG_ERROR / NLMSG_DONE message carrying a negative
/// errno, with the kernel's extended ACK text when NETLINK_EXT_ACK gave one.
/// nullopt for an ACK (error 0). `what` prefixes the message.
std::optional<Error> ErrorFromMessage(const nlmsghdr& nlh, const std::string& what);

}  // namespace edgediag::netlink

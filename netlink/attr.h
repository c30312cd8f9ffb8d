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
#include <span>
#include <string>
#include <vector>

#include "base/result.h"

namespace edgediag::netlink {

/// Raw bytes as received from a netlink socket or a recording.
using Bytes = std::span<const std::byte>;

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

/// Fills `table` from `len` bytes of attributes at `data` (4-byte aligned).
template <int Max>
void ParseAttrs(const void* data, std::size_t len, AttrTable<Max>& table) {
  const auto* a = static_cast<const nlattr*>(data);
  int left = static_cast<int>(len);
  while (mnl_attr_ok(a, left)) {
    int type = mnl_attr_get_type(a);
    if (type <= Max) table.attr[static_cast<std::size_t>(type)] = a;
    int step = static_cast<int>(MNL_ALIGN(a->nla_len));
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
  ParseAttrs(static_cast<const char*>(mnl_nlmsg_get_payload(nlh)) + offset, payload - offset, table);
  return true;
}

/// Fills `table` from a nested attribute.
template <int Max>
void ParseNested(const nlattr* nest, AttrTable<Max>& table) {
  ParseAttrs(mnl_attr_get_payload(nest), mnl_attr_get_payload_len(nest), table);
}

/// Calls `fn(const nlattr*)` for each attribute inside `nest` (arrays of
/// nests indexed 0, 1, ...). False when bytes are left that are no attribute.
template <typename Fn>
bool ForEachNested(const nlattr* nest, Fn&& fn) {
  const auto* a = static_cast<const nlattr*>(mnl_attr_get_payload(nest));
  int left = static_cast<int>(mnl_attr_get_payload_len(nest));
  while (mnl_attr_ok(a, left)) {
    fn(a);
    int step = static_cast<int>(MNL_ALIGN(a->nla_len));
    left -= step;
    a = reinterpret_cast<const nlattr*>(reinterpret_cast<const char*>(a) + step);
  }
  return left <= 0;
}

/// The payload of an attribute.
inline Bytes Payload(const nlattr* a) {
  return {static_cast<const std::byte*>(mnl_attr_get_payload(a)), mnl_attr_get_payload_len(a)};
}

/// Counts attributes of a known type with the wrong size, and other oddities
/// that leave one field unset rather than failing the whole decode.
struct Warnings {
  std::size_t count = 0;
};

/// A fixed-size scalar: exactly sizeof(T) bytes, else unset and a warning.
template <typename T>
std::optional<T> Scalar(const nlattr* a, Warnings& w) {
  if (!a) return std::nullopt;
  if (mnl_attr_get_payload_len(a) != sizeof(T)) {
    ++w.count;
    return std::nullopt;
  }
  T v;
  std::memcpy(&v, mnl_attr_get_payload(a), sizeof(T));
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
  std::size_t n = std::min<std::size_t>(mnl_attr_get_payload_len(a), sizeof(T));
  std::memcpy(&out, mnl_attr_get_payload(a), n);
  return n;
}

/// "192.0.2.1" / "2001:db8::1" from 4 or 16 bytes; "" for other lengths.
std::string FormatAddress(int family, const void* data, std::size_t len);
/// Same, from an attribute payload whose length must match the family.
std::optional<std::string> AddressAttr(int family, const nlattr* a, Warnings& w);
/// "aa:bb:cc:dd:ee:ff" for any length of link-layer address.
std::string FormatLladdr(Bytes bytes);

/// Calls `fn(const nlmsghdr&)` for each message in `buf`. Errors when a
/// message header or length runs past the buffer. Copies the buffer first
/// when it is not 4-byte aligned, so callers may pass any span.
template <typename Fn>
Result<void> ForEachMessage(Bytes buf, Fn&& fn);

namespace detail {
Result<void> CheckMessages(Bytes buf, std::vector<const nlmsghdr*>& out, std::vector<std::byte>& aligned);
}  // namespace detail

template <typename Fn>
Result<void> ForEachMessage(Bytes buf, Fn&& fn) {
  std::vector<const nlmsghdr*> msgs;
  std::vector<std::byte> aligned;
  auto r = detail::CheckMessages(buf, msgs, aligned);
  if (!r) {
    if (!aligned.empty()) explicit_bzero(aligned.data(), aligned.size());
    return r;
  }
  for (const nlmsghdr* m : msgs) fn(*m);
  // The copy may hold key material, as the caller's buffer may.
  if (!aligned.empty()) explicit_bzero(aligned.data(), aligned.size());
  return {};
}

/// The Error of an NLMSG_ERROR / NLMSG_DONE message carrying a negative
/// errno, with the kernel's extended ACK text when NETLINK_EXT_ACK gave one.
/// nullopt for an ACK (error 0). `what` prefixes the message.
std::optional<Error> ErrorFromMessage(const nlmsghdr& nlh, const std::string& what);

}  // namespace edgediag::netlink

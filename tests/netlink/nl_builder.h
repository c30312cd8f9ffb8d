// Builds netlink messages byte by byte for decoder tests, independently of
// the code under test (no libmnl): header, family header, attributes, nests.
#pragma once

#include <linux/netlink.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <vector>

namespace edgediag::netlink::testing {

class NlBuilder {
 public:
  /// Starts a message; ends the previous one.
  NlBuilder& Begin(std::uint16_t type, std::uint16_t flags = NLM_F_MULTI, std::uint32_t seq = 1) {
    End();
    start_ = buf_.size();
    open_ = true;
    nlmsghdr h{};
    h.nlmsg_type = type;
    h.nlmsg_flags = flags;
    h.nlmsg_seq = seq;
    Raw(&h, sizeof(h));
    return *this;
  }
  /// Appends a family header (or any struct), padded to 4 bytes.
  template <typename T>
  NlBuilder& Header(const T& hdr) {
    Raw(&hdr, sizeof(T));
    Pad();
    return *this;
  }
  NlBuilder& Attr(std::uint16_t type, const void* data, std::size_t len) {
    nlattr a{};
    a.nla_len = static_cast<std::uint16_t>(sizeof(nlattr) + len);
    a.nla_type = type;
    Raw(&a, sizeof(a));
    Raw(data, len);
    Pad();
    return *this;
  }
  template <typename T>
  NlBuilder& Scalar(std::uint16_t type, T v) {
    return Attr(type, &v, sizeof(v));
  }
  NlBuilder& Str(std::uint16_t type, const std::string& s) { return Attr(type, s.c_str(), s.size() + 1); }
  NlBuilder& Bytes(std::uint16_t type, const std::vector<std::uint8_t>& b) {
    return Attr(type, b.data(), b.size());
  }
  /// Opens a nested attribute; close with NestEnd().
  NlBuilder& NestStart(std::uint16_t type) {
    nests_.push_back(buf_.size());
    nlattr a{};
    a.nla_type = type | NLA_F_NESTED;
    Raw(&a, sizeof(a));
    return *this;
  }
  NlBuilder& NestEnd() {
    std::size_t at = nests_.back();
    nests_.pop_back();
    auto len = static_cast<std::uint16_t>(buf_.size() - at);
    std::memcpy(buf_.data() + at, &len, sizeof(len));
    return *this;
  }
  /// Closes the current message (sets nlmsg_len).
  NlBuilder& End() {
    if (!open_) return *this;
    auto len = static_cast<std::uint32_t>(buf_.size() - start_);
    std::memcpy(buf_.data() + start_, &len, sizeof(len));
    open_ = false;
    return *this;
  }
  /// All messages so far (closes the current one).
  std::vector<std::byte> Done() {
    End();
    return buf_;
  }

 private:
  void Raw(const void* p, std::size_t n) {
    const auto* b = static_cast<const std::byte*>(p);
    buf_.insert(buf_.end(), b, b + n);
  }
  void Pad() {
    while (buf_.size() % 4) buf_.push_back(std::byte{0});
  }
  std::vector<std::byte> buf_;
  std::vector<std::size_t> nests_;
  std::size_t start_ = 0;
  bool open_ = false;
};

/// True when `needle` occurs anywhere in `hay`.
inline bool Contains(std::span<const std::byte> hay, const std::string& needle) {
  if (needle.empty() || hay.size() < needle.size()) return false;
  for (std::size_t i = 0; i + needle.size() <= hay.size(); ++i)
    if (std::memcmp(hay.data() + i, needle.data(), needle.size()) == 0) return true;
  return false;
}

template <std::size_t N>
std::span<const std::byte> AsBytes(const std::uint8_t (&a)[N]) {
  return {reinterpret_cast<const std::byte*>(a), N};
}

}  // namespace edgediag::netlink::testing

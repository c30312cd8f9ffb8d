#include "netlink/attr.h"

#include <arpa/inet.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

namespace edgediag::netlink {

void Warnings::Add(std::string_view text) {
  if (texts_.size() >= kKept) {
    ++more_;
    return;
  }
  std::string line = where;
  if (!line.empty()) line += ": ";
  line += text;
  texts_.push_back(std::move(line));
}

void Warnings::BadSize(const nlattr* a, std::size_t want) {
  Add("attribute " + std::to_string(AttrType(a)) + " is " + std::to_string(AttrPayloadLen(a)) +
      " bytes, not " + std::to_string(want));
}

std::vector<std::string> Warnings::Take() {
  if (more_ > 0) texts_.push_back(std::to_string(more_) + " more warnings like these");
  more_ = 0;
  return std::move(texts_);
}

std::optional<std::uint16_t> Be16(const nlattr* a, Warnings& w) {
  auto v = Scalar<std::uint16_t>(a, w);
  if (!v) return std::nullopt;
  return ntohs(*v);
}

std::optional<std::string> String(const nlattr* a, Warnings& w) {
  if (!a) return std::nullopt;
  Bytes p = Payload(a);
  const void* nul = p.empty() ? nullptr : std::memchr(p.data(), 0, p.size());
  if (!nul) {
    w.Add("attribute " + std::to_string(AttrType(a)) + " is a string without its NUL");
    return std::nullopt;
  }
  return std::string(reinterpret_cast<const char*>(p.data()));
}

char* FormatIpv4(const void* data, char* out) {
  const auto* b = static_cast<const unsigned char*>(data);
  for (int i = 0; i < 4; ++i) {
    if (i) *out++ = '.';
    unsigned v = b[i];
    if (v >= 100) *out++ = static_cast<char>('0' + v / 100);
    if (v >= 10) *out++ = static_cast<char>('0' + v / 10 % 10);
    *out++ = static_cast<char>('0' + v % 10);
  }
  return out;
}

std::string FormatAddress(int family, const void* data, std::size_t len) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (family == AF_INET && len == 4) return std::string(buf, FormatIpv4(data, buf));
  if (family == AF_INET6 && len == 16) return inet_ntop(AF_INET6, data, buf, sizeof(buf));
  return "";
}

std::optional<std::string> AddressAttr(int family, const nlattr* a, Warnings& w) {
  if (!a) return std::nullopt;
  std::string s = FormatAddress(family, AttrPayload(a), AttrPayloadLen(a));
  if (s.empty()) {
    w.Add("attribute " + std::to_string(AttrType(a)) + " is " + std::to_string(AttrPayloadLen(a)) +
          " bytes, not an address of family " + std::to_string(family));
    return std::nullopt;
  }
  return s;
}

std::string FormatLladdr(Bytes bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 3);
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (i) out += ':';
    auto b = static_cast<unsigned>(bytes[i]);
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  return out;
}

namespace detail {

Bytes Aligned(Bytes buf, std::vector<std::byte>& aligned) {
  if (reinterpret_cast<std::uintptr_t>(buf.data()) % alignof(nlmsghdr) == 0) return buf;
  aligned.assign(buf.begin(), buf.end());
  return aligned;
}

Result<std::size_t> CheckMessages(Bytes buf) {
  std::size_t off = 0, count = 0;
  while (off < buf.size()) {
    std::size_t left = buf.size() - off;
    if (left < sizeof(nlmsghdr))
      return MakeError(Error::Code::kProtocol,
                       "netlink: truncated message header (" + std::to_string(left) + " bytes)");
    const auto* nlh = reinterpret_cast<const nlmsghdr*>(buf.data() + off);
    if (nlh->nlmsg_len < sizeof(nlmsghdr) || nlh->nlmsg_len > left)
      return MakeError(Error::Code::kProtocol, "netlink: message length " +
                                                   std::to_string(nlh->nlmsg_len) + " with " +
                                                   std::to_string(left) + " bytes left");
    ++count;
    off += std::min<std::size_t>(NLMSG_ALIGN(nlh->nlmsg_len), left);
  }
  return count;
}

}  // namespace detail

std::optional<Error> ErrorFromMessage(const nlmsghdr& nlh, const std::string& what) {
  std::size_t payload = nlh.nlmsg_len - NLMSG_HDRLEN;
  const char* p = static_cast<const char*>(mnl_nlmsg_get_payload(&nlh));
  int err = 0;
  if (payload < sizeof(int)) {
    if (nlh.nlmsg_type == NLMSG_DONE) return std::nullopt;  // old kernels: no error field
    return MakeError(Error::Code::kProtocol, what + ": truncated netlink error message");
  }
  std::memcpy(&err, p, sizeof(int));
  if (err == 0) return std::nullopt;
  // The kernel sends -errno, errno in [1, 4095] (MAX_ERRNO); anything else
  // is no error number, and INT_MIN cannot even be negated.
  constexpr int kMaxErrno = 4095;
  if (err < -kMaxErrno || err > kMaxErrno)
    return MakeError(Error::Code::kProtocol,
                     what + ": netlink error " + std::to_string(err) + " is no error number");
  if (err > 0) err = -err;  // defensive: the kernel always sends -errno
  std::string text = what + ": " + std::strerror(-err);

  // Extended ACK TLVs (NETLINK_EXT_ACK, Linux 4.12): after struct nlmsgerr
  // and, unless NLM_F_CAPPED, the echoed request; after the int in DONE.
  if (nlh.nlmsg_flags & NLM_F_ACK_TLVS) {
    std::size_t off = sizeof(int);
    if (nlh.nlmsg_type == NLMSG_ERROR) {
      off = sizeof(nlmsgerr);
      if (payload >= sizeof(nlmsgerr) && !(nlh.nlmsg_flags & NLM_F_CAPPED)) {
        nlmsghdr echoed;
        std::memcpy(&echoed, p + sizeof(int), sizeof(echoed));
        if (echoed.nlmsg_len >= sizeof(nlmsghdr)) off += echoed.nlmsg_len - sizeof(nlmsghdr);
      }
      off = MNL_ALIGN(off);
    }
    if (off < payload) {
      AttrTable<NLMSGERR_ATTR_MAX> t;
      ParseAttrs(p + off, payload - off, t);
      Warnings w;
      if (auto msg = String(t[NLMSGERR_ATTR_MSG], w); msg && !msg->empty()) text += " (" + *msg + ")";
    }
  }
  return MakeError(CodeFromErrno(-err), text);
}

}  // namespace edgediag::netlink

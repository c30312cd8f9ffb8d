#include "netlink/socket.h"

#include <libmnl/libmnl.h>
#include <linux/netlink.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>

#include <cerrno>
#include <cstring>

#include "netlink/attr.h"

namespace edgediag::netlink {
namespace {

// Dumps come in datagrams of up to 32 KiB (more with large pages); the kernel
// sizes later ones after our recvmsg length, so a roomy buffer saves calls.
constexpr std::size_t kReceiveBuffer = 256 * 1024;

Error SysError(const std::string& what, int err) {
  return MakeError(CodeFromErrno(err), what + ": " + std::strerror(err));
}

}  // namespace

MessageBuffer& MessageBuffer::operator=(MessageBuffer&& other) noexcept {
  Wipe();
  data_ = std::move(other.data_);
  return *this;
}

MessageBuffer::~MessageBuffer() { Wipe(); }

void MessageBuffer::Append(std::span<const std::byte> more) {
  if (data_.capacity() < data_.size() + more.size() + NLMSG_ALIGNTO) {
    // Grow by hand so that no copy of the old contents is left behind unwiped.
    std::vector<std::byte> bigger;
    bigger.reserve(std::max(data_.size() + more.size() + NLMSG_ALIGNTO, data_.capacity() * 2));
    bigger.assign(data_.begin(), data_.end());
    Wipe();
    data_ = std::move(bigger);
  }
  data_.insert(data_.end(), more.begin(), more.end());
  // Keep every message 4-byte aligned, as NLMSG_NEXT expects.
  while (data_.size() % NLMSG_ALIGNTO) data_.push_back(std::byte{0});
}

void MessageBuffer::Wipe() {
  if (!data_.empty()) explicit_bzero(data_.data(), data_.size());
  data_.clear();
}

void NetlinkSocket::Closer::operator()(mnl_socket* s) const { mnl_socket_close(s); }

unsigned NetlinkSocket::port_id() const { return mnl_socket_get_portid(sock_.get()); }

Result<NetlinkSocket> NetlinkSocket::Open(int bus, std::chrono::milliseconds timeout) {
  mnl_socket* s = mnl_socket_open2(bus, SOCK_CLOEXEC);
  if (!s) return SysError("netlink socket (bus " + std::to_string(bus) + ")", errno);
  NetlinkSocket sock(s);
  int one = 1;
  // Best effort: kernels before 4.12 lack extended ACKs; errors still arrive.
  (void)mnl_socket_setsockopt(s, NETLINK_EXT_ACK, &one, sizeof(one));
  (void)mnl_socket_setsockopt(s, NETLINK_CAP_ACK, &one, sizeof(one));
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
  if (setsockopt(mnl_socket_get_fd(s), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) != 0)
    return SysError("netlink SO_RCVTIMEO", errno);
  int rcvbuf = 1 << 20;
  (void)setsockopt(mnl_socket_get_fd(s), SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
  if (mnl_socket_bind(s, 0, MNL_SOCKET_AUTOPID) != 0) return SysError("netlink bind", errno);
  if (sock.seq_ == 0) sock.seq_ = static_cast<unsigned>(time(nullptr));
  return sock;
}

Result<MessageBuffer> NetlinkSocket::Dump(std::span<std::byte> request, const std::string& what,
                                          int attempts) {
  for (int i = 0; i < attempts; ++i) {
    bool interrupted = false;
    auto r = RunOnce(request, what, /*dump=*/true, interrupted);
    if (!r || !interrupted) return r;
  }
  return MakeError(Error::Code::kIo, what + ": dump interrupted " + std::to_string(attempts) +
                                         " times (the table kept changing)");
}

Result<MessageBuffer> NetlinkSocket::Request(std::span<std::byte> request,
                                             const std::string& what) {
  bool interrupted = false;
  return RunOnce(request, what, /*dump=*/false, interrupted);
}

Result<MessageBuffer> NetlinkSocket::RunOnce(std::span<std::byte> request, const std::string& what,
                                             bool dump, bool& interrupted) {
  if (request.size() < sizeof(nlmsghdr))
    return MakeError(Error::Code::kInvalidInput, what + ": request too short");
  auto* nlh = reinterpret_cast<nlmsghdr*>(request.data());
  nlh->nlmsg_flags |= NLM_F_REQUEST | (dump ? NLM_F_DUMP : NLM_F_ACK);
  nlh->nlmsg_seq = ++seq_;
  nlh->nlmsg_pid = 0;
  const unsigned seq = nlh->nlmsg_seq;
  const unsigned pid = port_id();
  if (mnl_socket_sendto(sock_.get(), request.data(), nlh->nlmsg_len) < 0)
    return SysError(what + ": send", errno);

  MessageBuffer out;
  std::vector<std::byte> buf(kReceiveBuffer);
  struct Wiper {
    std::vector<std::byte>& b;
    ~Wiper() { explicit_bzero(b.data(), b.size()); }
  } wiper{buf};

  for (;;) {
    sockaddr_nl from{};
    iovec iov{buf.data(), buf.size()};
    msghdr msg{};
    msg.msg_name = &from;
    msg.msg_namelen = sizeof(from);
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    ssize_t n = recvmsg(mnl_socket_get_fd(sock_.get()), &msg, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK)
        return MakeError(Error::Code::kTimeout, what + ": no answer from the kernel in time");
      return SysError(what + ": receive", errno);
    }
    if (msg.msg_flags & MSG_TRUNC)
      return MakeError(Error::Code::kProtocol, what + ": reply truncated");
    if (from.nl_pid != 0) continue;  // not from the kernel
    std::span<const std::byte> got(buf.data(), static_cast<std::size_t>(n));

    bool done = false;
    std::optional<Error> failure;
    auto walk = ForEachMessage(got, [&](const nlmsghdr& m) {
      if (done || failure) return;
      // Replies to an earlier, abandoned request share the socket: skip them.
      if (m.nlmsg_seq != seq || m.nlmsg_pid != pid) return;
      if (m.nlmsg_flags & NLM_F_DUMP_INTR) interrupted = true;
      if (m.nlmsg_type == NLMSG_DONE) {
        failure = ErrorFromMessage(m, what);
        done = true;
        return;
      }
      if (m.nlmsg_type == NLMSG_ERROR) {
        failure = ErrorFromMessage(m, what);
        if (!failure && !dump) done = true;  // the ACK of a plain request
        if (failure) done = true;
        return;
      }
      if (m.nlmsg_type == NLMSG_NOOP || m.nlmsg_type == NLMSG_OVERRUN) return;
      out.Append({reinterpret_cast<const std::byte*>(&m), m.nlmsg_len});
    });
    if (!walk) return MakeError(walk.error().code, what + ": " + walk.error().what);
    if (failure) return *failure;
    if (done) return out;
  }
}

}  // namespace edgediag::netlink

#include "netlink/socket.h"

#include <libmnl/libmnl.h>
#include <linux/netlink.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <new>
#include <cerrno>
#include <cstring>
#include <optional>
#include <utility>

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

MessageBuffer::MessageBuffer(MessageBuffer&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)),
      size_(std::exchange(other.size_, 0)),
      dirty_(std::exchange(other.dirty_, 0)),
      capacity_(std::exchange(other.capacity_, 0)) {}

MessageBuffer& MessageBuffer::operator=(MessageBuffer&& other) noexcept {
  if (this == &other) return *this;
  Wipe();
  if (data_) munmap(data_, capacity_);
  data_ = std::exchange(other.data_, nullptr);
  size_ = std::exchange(other.size_, 0);
  dirty_ = std::exchange(other.dirty_, 0);
  capacity_ = std::exchange(other.capacity_, 0);
  return *this;
}

MessageBuffer::~MessageBuffer() {
  Wipe();
  if (data_) munmap(data_, capacity_);
}

void MessageBuffer::Reserve(std::size_t capacity) {
  if (capacity <= capacity_) return;
  const std::size_t page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  capacity = (capacity + page - 1) / page * page;
  // mremap moves the pages themselves: nothing is copied, no old copy of
  // the contents stays behind to wipe, and no page is touched before it is
  // written.
  void* p = data_ ? mremap(data_, capacity_, capacity, MREMAP_MAYMOVE)
                  : mmap(nullptr, capacity, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                         -1, 0);
  if (p == MAP_FAILED) throw std::bad_alloc();
  data_ = static_cast<std::byte*>(p);
  capacity_ = capacity;
}

std::span<std::byte> MessageBuffer::Tail(std::size_t n) {
  if (capacity_ - size_ < n) Reserve(std::max(size_ + n, capacity_ * 2));
  return {data_ + size_, capacity_ - size_};
}

void MessageBuffer::Written(std::size_t n) { dirty_ = std::max(dirty_, size_ + n); }

void MessageBuffer::Commit(std::size_t n) {
  size_ += n;
  dirty_ = std::max(dirty_, size_);
}

void MessageBuffer::Append(std::span<const std::byte> more) {
  std::size_t padded = NLMSG_ALIGN(more.size());
  std::span<std::byte> tail = Tail(padded);
  if (!more.empty()) std::memcpy(tail.data(), more.data(), more.size());
  // Keep every message 4-byte aligned, as NLMSG_NEXT expects.
  std::memset(tail.data() + more.size(), 0, padded - more.size());
  Commit(padded);
}

void MessageBuffer::Wipe() {
  // Zeroed here, not only handed back: the kernel zeroes a freed page when
  // it next hands it out, not when it gets it back, and key material must
  // not wait in free memory meanwhile.
  if (dirty_) explicit_bzero(data_, dirty_);
  size_ = dirty_ = 0;
}

void NetlinkSocket::Closer::operator()(mnl_socket* s) const { mnl_socket_close(s); }

unsigned NetlinkSocket::port_id() const { return mnl_socket_get_portid(sock_.get()); }

Result<NetlinkSocket> NetlinkSocket::Open(int bus, std::chrono::milliseconds timeout) {
  NetlinkSocket sock(nullptr);
  sock.bus_ = bus;
  sock.limit_ = timeout;
  if (auto r = sock.Connect(); !r) return r.error();
  sock.seq_ = static_cast<unsigned>(time(nullptr));
  return sock;
}

// A new kernel socket in place of the old one (if any): opened, options set
// and bound. SO_RCVTIMEO is armed again by the next exchange.
Result<void> NetlinkSocket::Connect() {
  mnl_socket* s = mnl_socket_open2(bus_, SOCK_CLOEXEC);
  if (!s) return SysError("netlink socket (bus " + std::to_string(bus_) + ")", errno);
  sock_.reset(s);
  armed_ = std::chrono::milliseconds(-1);
  int one = 1;
  // Best effort: kernels before 4.12 lack extended ACKs; errors still arrive.
  (void)mnl_socket_setsockopt(s, NETLINK_EXT_ACK, &one, sizeof(one));
  (void)mnl_socket_setsockopt(s, NETLINK_CAP_ACK, &one, sizeof(one));
  if (!ArmReceive(Clock::now() + limit_)) return SysError("netlink SO_RCVTIMEO", errno);
  int rcvbuf = 1 << 20;
  (void)setsockopt(mnl_socket_get_fd(s), SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
  if (mnl_socket_bind(s, 0, MNL_SOCKET_AUTOPID) != 0) return SysError("netlink bind", errno);
  return {};
}

bool NetlinkSocket::ArmReceive(Clock::time_point deadline) {
  using std::chrono::milliseconds;
  auto left = std::chrono::ceil<milliseconds>(deadline - Clock::now());
  // A zero SO_RCVTIMEO would mean "wait for ever": never arm below 1 ms.
  left = std::clamp(left, milliseconds(1), std::max(limit_, milliseconds(1)));
  if (left == armed_) return true;
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(left.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((left.count() % 1000) * 1000);
  if (setsockopt(mnl_socket_get_fd(sock_.get()), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) != 0)
    return false;
  armed_ = left;
  return true;
}

Result<MessageBuffer> NetlinkSocket::Dump(std::span<std::byte> request, const std::string& what,
                                          int attempts) {
  const auto deadline = Clock::now() + limit_;
  for (int i = 0; i < attempts; ++i) {
    bool interrupted = false;
    auto r = RunOnce(request, what, /*dump=*/true, deadline, interrupted);
    if (!r || !interrupted) return r;
  }
  return MakeError(Error::Code::kIo, what + ": dump interrupted " + std::to_string(attempts) +
                                         " times (the table kept changing)");
}

Result<MessageBuffer> NetlinkSocket::Request(std::span<std::byte> request,
                                             const std::string& what) {
  bool interrupted = false;
  return RunOnce(request, what, /*dump=*/false, Clock::now() + limit_, interrupted);
}

Result<MessageBuffer> NetlinkSocket::RunOnce(std::span<std::byte> request, const std::string& what,
                                             bool dump, Clock::time_point deadline,
                                             bool& interrupted) {
  if (request.size() < sizeof(nlmsghdr))
    return MakeError(Error::Code::kInvalidInput, what + ": request too short");
  // An exchange left half-read (a timeout, a truncated reply) leaves the
  // kernel's dump running on that socket: any new dump there gets EBUSY.
  // Start again on a fresh socket instead.
  if (abandoned_) {
    if (auto r = Connect(); !r) return MakeError(r.error().code, what + ": " + r.error().what);
    abandoned_ = false;
  }
  auto* nlh = reinterpret_cast<nlmsghdr*>(request.data());
  nlh->nlmsg_flags |= NLM_F_REQUEST | (dump ? NLM_F_DUMP : NLM_F_ACK);
  nlh->nlmsg_seq = ++seq_;
  nlh->nlmsg_pid = 0;
  const unsigned seq = nlh->nlmsg_seq;
  const unsigned pid = port_id();
  if (mnl_socket_sendto(sock_.get(), request.data(), nlh->nlmsg_len) < 0)
    return SysError(what + ": send", errno);
  abandoned_ = true;  // until the exchange is read to its end

  // Each datagram is received straight into the reply's buffer; what is not
  // a message to keep (NLMSG_DONE, the ACK, replies to another request) is
  // squeezed out in place.
  MessageBuffer out;
  for (;;) {
    // NLMSG_ALIGNTO to spare: a last message of unaligned length is padded.
    // The whole exchange has one deadline: each receive waits only for
    // what is left of it.
    if (Clock::now() >= deadline)
      return MakeError(Error::Code::kTimeout, what + ": not finished within " +
                                                  std::to_string(limit_.count()) + " ms");
    if (!ArmReceive(deadline)) return SysError(what + ": SO_RCVTIMEO", errno);
    std::span<std::byte> tail = out.Tail(kReceiveBuffer + NLMSG_ALIGNTO);
    sockaddr_nl from{};
    iovec iov{tail.data(), kReceiveBuffer};
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
    const auto got = static_cast<std::size_t>(n);
    out.Written(got);
    if (msg.msg_flags & MSG_TRUNC)
      return MakeError(Error::Code::kProtocol, what + ": reply truncated");
    if (from.nl_pid != 0) continue;  // not from the kernel
    auto checked = detail::CheckMessages({tail.data(), got});
    if (!checked) return MakeError(checked.error().code, what + ": " + checked.error().what);

    bool done = false;
    std::optional<Error> failure;
    std::size_t read = 0, kept = 0;
    while (read < got && !done) {
      const auto* m = reinterpret_cast<const nlmsghdr*>(tail.data() + read);
      const std::size_t len = m->nlmsg_len;
      const std::size_t step = std::min<std::size_t>(NLMSG_ALIGN(len), got - read);
      bool keep = false;
      // Replies to an earlier, abandoned request share the socket: skip them.
      if (m->nlmsg_seq == seq && m->nlmsg_pid == pid) {
        if (m->nlmsg_flags & NLM_F_DUMP_INTR) interrupted = true;
        if (m->nlmsg_type == NLMSG_DONE) {
          failure = ErrorFromMessage(*m, what);
          done = true;
        } else if (m->nlmsg_type == NLMSG_ERROR) {
          failure = ErrorFromMessage(*m, what);
          if (failure || !dump) done = true;  // an error, or the ACK of a plain request
        } else if (m->nlmsg_type != NLMSG_NOOP && m->nlmsg_type != NLMSG_OVERRUN) {
          keep = true;
        }
      }
      if (keep) {
        if (kept != read) std::memmove(tail.data() + kept, tail.data() + read, len);
        std::memset(tail.data() + kept + len, 0, NLMSG_ALIGN(len) - len);
        kept += NLMSG_ALIGN(len);
      }
      read += step;
    }
    out.Commit(kept);
    if (done) abandoned_ = false;
    if (failure) return *failure;
    if (done) return out;
  }
}

}  // namespace edgediag::netlink

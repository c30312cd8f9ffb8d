// Netlink socket I/O for every collector in netlink/: one request, every reply
// checked (sequence number, port id, truncation, NLMSG_ERROR, the error inside
// NLMSG_DONE, NLM_F_DUMP_INTR) and handed back as raw bytes for a decoder.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "base/result.h"

struct mnl_socket;

namespace edgediag::netlink {

/// A buffer of netlink messages that wipes itself when it dies: dumps may
/// hold key material (INET_DIAG_MD5SIG, WireGuard private keys). Replies are
/// received straight into it (Tail, Written, Commit): no copy per message.
/// Its memory is a mapping of its own that grows with mremap(2): a 10,000-
/// peer dump is neither copied as it grows nor left behind in old copies.
class MessageBuffer {
 public:
  MessageBuffer() = default;
  MessageBuffer(MessageBuffer&& other) noexcept;
  MessageBuffer& operator=(MessageBuffer&&) noexcept;
  MessageBuffer(const MessageBuffer&) = delete;
  MessageBuffer& operator=(const MessageBuffer&) = delete;
  ~MessageBuffer();

  /// The messages, each 4-byte aligned.
  std::span<const std::byte> bytes() const { return {data_, size_}; }
  /// Appends one message, padded to NLMSG_ALIGNTO.
  void Append(std::span<const std::byte> more);
  /// Zeroes and empties the buffer.
  void Wipe();

  /// At least `n` writable bytes after the messages (4-byte aligned), valid
  /// until the next call that changes the buffer.
  std::span<std::byte> Tail(std::size_t n);
  /// `n` bytes at the start of Tail() now hold data (wiped with the rest).
  void Written(std::size_t n);
  /// The first `n` bytes of Tail() (a multiple of 4) are messages to keep.
  void Commit(std::size_t n);

 private:
  void Reserve(std::size_t capacity);
  std::byte* data_ = nullptr;  // mmap(2)ed, capacity_ bytes
  std::size_t size_ = 0;      // bytes of messages
  std::size_t dirty_ = 0;     // bytes ever written (>= size_): what Wipe zeroes
  std::size_t capacity_ = 0;
};

/// A bound netlink socket (RAII) with a receive timeout.
class NetlinkSocket {
 public:
  /// Opens and binds a NETLINK_`bus` socket; EXT_ACK on, SO_RCVTIMEO set.
  static Result<NetlinkSocket> Open(int bus, std::chrono::milliseconds timeout);

  /// Sends a dump request (NLM_F_DUMP is set here; seq and pid too) and
  /// returns every reply message except NLMSG_DONE. A dump the kernel marks
  /// interrupted (NLM_F_DUMP_INTR: the table changed meanwhile) is re-run up
  /// to `attempts` times, then fails. `what` names the request in errors.
  /// The whole dump, re-runs included, must finish within the socket's
  /// timeout (the one Open was given), not only each receive: a table that
  /// keeps arriving slowly fails as a timeout rather than holding the run.
  Result<MessageBuffer> Dump(std::span<std::byte> request, const std::string& what,
                             int attempts = 3);

  /// Sends a plain request (NLM_F_ACK set here) and returns its replies up to
  /// and including the ACK, errors turned into an Error.
  Result<MessageBuffer> Request(std::span<std::byte> request, const std::string& what);

  unsigned port_id() const;

  /// The time a whole Dump or Request may take (Open's timeout by default).
  void set_limit(std::chrono::milliseconds limit) { limit_ = limit; }

 private:
  struct Closer {
    void operator()(mnl_socket* s) const;
  };
  explicit NetlinkSocket(mnl_socket* s) : sock_(s) {}
  using Clock = std::chrono::steady_clock;
  Result<MessageBuffer> RunOnce(std::span<std::byte> request, const std::string& what, bool dump,
                                Clock::time_point deadline, bool& interrupted);
  // Arms SO_RCVTIMEO with what is left before `deadline`, at most limit_.
  bool ArmReceive(Clock::time_point deadline);
  Result<void> Connect();

  std::unique_ptr<mnl_socket, Closer> sock_;
  unsigned seq_ = 0;
  int bus_ = 0;
  bool abandoned_ = false;  // the last exchange was not read to its end
  std::chrono::milliseconds limit_{0};
  std::chrono::milliseconds armed_{-1};  // SO_RCVTIMEO as last set
};

}  // namespace edgediag::netlink

#include "vici/client.h"

#include <errno.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cstring>
#include <thread>
#include <vector>

#include "vici/parser.h"

namespace edgediag::vici {
namespace {

Error ErrnoError(int err, std::string_view doing) {
  return MakeError(CodeFromErrno(err), fmt::format("{}: {}", doing, std::strerror(err)));
}

int RemainingMs(Clock::time_point until) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now());
  return left.count() <= 0 ? 0 : static_cast<int>(left.count());
}

}  // namespace

Result<Client> Client::Connect(const std::string& path, std::chrono::milliseconds timeout) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof(addr.sun_path)) {
    return MakeError(Error::Code::kInvalidInput,
                     fmt::format("VICI socket path \"{}\" is empty or too long", path));
  }
  std::memcpy(addr.sun_path, path.data(), path.size());
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!fd.valid()) return ErrnoError(errno, "VICI socket");

  const auto deadline = Clock::now() + timeout;
  while (true) {
    if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) == 0) break;
    const int err = errno;
    if (err == EINTR) continue;
    if (err == EAGAIN) {
      // A unix socket whose listen backlog is full: non-blocking connect()
      // fails with EAGAIN instead of queueing (unix(7)), and poll() cannot
      // wait for room. Retry briefly until the deadline.
      if (Clock::now() >= deadline) {
        return MakeError(Error::Code::kTimeout,
                         fmt::format("VICI connect to {}: no room in the listen queue within {} ms",
                                     path, timeout.count()));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      continue;
    }
    if (err == EINPROGRESS) {
      pollfd p{fd.get(), POLLOUT, 0};
      const int n = ::poll(&p, 1, RemainingMs(deadline));
      if (n == 0) {
        return MakeError(
            Error::Code::kTimeout,
            fmt::format("VICI connect to {}: no answer within {} ms", path, timeout.count()));
      }
      int so_error = 0;
      socklen_t len = sizeof(so_error);
      if (n < 0 || ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &so_error, &len) != 0) {
        return ErrnoError(errno, fmt::format("VICI connect to {}", path));
      }
      if (so_error != 0) return ErrnoError(so_error, fmt::format("VICI connect to {}", path));
      break;
    }
    if (err == ENOENT) {
      return MakeError(Error::Code::kUnavailable, fmt::format("no VICI socket at {}", path));
    }
    if (err == ECONNREFUSED) {
      return MakeError(Error::Code::kUnavailable,
                       fmt::format("nothing listening on the VICI socket {}", path));
    }
    return ErrnoError(err, fmt::format("VICI connect to {}", path));
  }
  return Client(std::move(fd), timeout);
}

Client::Client(UniqueFd fd, std::chrono::milliseconds io_timeout)
    : fd_(std::move(fd)), io_timeout_(io_timeout) {
  // Every wait goes through poll(); the socket itself never blocks.
  const int flags = ::fcntl(fd_.get(), F_GETFL);
  if (flags >= 0) ::fcntl(fd_.get(), F_SETFL, flags | O_NONBLOCK);
}

Error Client::Break(Error error) {
  if (!broken_) broken_ = error;
  return error;
}

Result<void> Client::Usable() const {
  if (!fd_.valid()) return MakeError(Error::Code::kIo, "VICI client has no connection");
  if (broken_) {
    return MakeError(broken_->code, "VICI connection unusable after: " + broken_->what);
  }
  return {};
}

Result<void> Client::Wait(short events, std::string_view doing) {
  while (true) {
    auto until = Clock::now() + io_timeout_;
    bool overall = false;
    if (deadline_ && *deadline_ < until) {
      until = *deadline_;
      overall = true;
    }
    pollfd p{fd_.get(), events, 0};
    const int n = ::poll(&p, 1, RemainingMs(until));
    if (n > 0) return {};
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoError(errno, fmt::format("VICI poll while {}", doing));
    if (overall) {
      return MakeError(Error::Code::kTimeout, fmt::format("VICI deadline passed while {}", doing));
    }
    return MakeError(Error::Code::kTimeout, fmt::format("VICI: no progress for {} ms while {}",
                                                        io_timeout_.count(), doing));
  }
}

Result<void> Client::WriteAll(std::span<const std::byte> data) {
  std::size_t done = 0;
  while (done < data.size()) {
    if (auto w = Wait(POLLOUT, "sending"); !w) return w;
    const ssize_t n = ::send(fd_.get(), data.data() + done, data.size() - done, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return ErrnoError(errno, "VICI send");
    }
    done += static_cast<std::size_t>(n);
  }
  return {};
}

Result<void> Client::ReadExact(std::span<std::byte> data, bool frame_start) {
  std::size_t done = 0;
  while (done < data.size()) {
    if (auto w = Wait(POLLIN, "waiting for charon"); !w) return w;
    const ssize_t n = ::recv(fd_.get(), data.data() + done, data.size() - done, 0);
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return ErrnoError(errno, "VICI receive");
    }
    if (n == 0) {
      if (frame_start && done == 0) {
        return MakeError(Error::Code::kUnavailable, "charon closed the VICI connection");
      }
      return MakeError(Error::Code::kProtocol,
                       fmt::format("charon closed the VICI connection mid-message ({} of {} bytes)",
                                   done, data.size()));
    }
    done += static_cast<std::size_t>(n);
  }
  return {};
}

Result<void> Client::Send(PacketType type, std::string_view name, std::span<const std::byte> body) {
  if (auto u = Usable(); !u) return u;
  auto packet = EncodePacket(type, name, body);
  if (!packet) return packet.error();  // our own misuse: the connection is fine
  if (auto w = WriteAll(*packet); !w) return Break(w.error());
  return {};
}

Result<Packet> Client::Receive() {
  if (auto u = Usable(); !u) return u.error();
  std::byte prefix[kLengthSize];
  if (auto r = ReadExact(prefix, true); !r) return Break(r.error());
  auto len = DecodeFrameLength(prefix);  // capped before we allocate
  if (!len) return Break(len.error());
  std::vector<std::byte> frame(*len);
  if (auto r = ReadExact(frame, false); !r) return Break(r.error());
  auto packet = DecodePacket(frame);
  if (!packet) return Break(packet.error());
  return packet;
}

Result<Message> Client::Command(std::string_view name, std::span<const std::byte> body) {
  if (auto s = Send(PacketType::kCmdRequest, name, body); !s) return s.error();
  while (true) {
    auto packet = Receive();
    if (!packet) return packet.error();
    switch (packet->type) {
      case PacketType::kCmdResponse: {
        auto message = ParseMessage(packet->body);
        if (!message) return Break(message.error());
        return message;
      }
      case PacketType::kCmdUnknown:
        return MakeError(Error::Code::kProtocol,
                         fmt::format("charon does not know the VICI command \"{}\"", name));
      case PacketType::kEvent:
        continue;  // an event we registered for elsewhere: not our answer
      default:
        return Break(
            MakeError(Error::Code::kProtocol,
                      fmt::format("unexpected VICI {} while waiting for the answer to \"{}\"",
                                  PacketTypeName(static_cast<std::uint8_t>(packet->type)), name)));
    }
  }
}

Result<void> Client::AwaitConfirm(std::string_view doing, std::string_view name) {
  while (true) {
    auto packet = Receive();
    if (!packet) return packet.error();
    switch (packet->type) {
      case PacketType::kEventConfirm:
        return {};
      case PacketType::kEventUnknown:
        return MakeError(Error::Code::kProtocol,
                         fmt::format("charon does not know the VICI event \"{}\"", name));
      case PacketType::kEvent:
        continue;  // events may still arrive until the unregistration is confirmed
      default:
        return Break(MakeError(
            Error::Code::kProtocol,
            fmt::format("unexpected VICI {} while {} \"{}\"",
                        PacketTypeName(static_cast<std::uint8_t>(packet->type)), doing, name)));
    }
  }
}

Result<void> Client::Register(std::string_view name) {
  if (auto s = Send(PacketType::kEventRegister, name, {}); !s) return s;
  return AwaitConfirm("registering for", name);
}

Result<void> Client::Unregister(std::string_view name) {
  if (auto s = Send(PacketType::kEventUnregister, name, {}); !s) return s;
  return AwaitConfirm("unregistering from", name);
}

Result<Message> Client::StreamedCommand(std::string_view command, std::string_view event,
                                        std::span<const std::byte> body, const EventSink& sink) {
  if (auto r = Register(event); !r) return r.error();
  if (auto s = Send(PacketType::kCmdRequest, command, body); !s) return s.error();
  std::optional<Message> response;
  while (!response) {
    auto packet = Receive();
    if (!packet) return packet.error();
    switch (packet->type) {
      case PacketType::kEvent: {
        if (packet->name != event) continue;
        auto message = ParseMessage(packet->body);
        if (!message) return Break(message.error());
        if (auto r = sink(std::move(*message)); !r) {
          // The rest of the stream is still queued: the connection is unusable.
          return Break(r.error());
        }
        break;
      }
      case PacketType::kCmdResponse: {
        auto message = ParseMessage(packet->body);
        if (!message) return Break(message.error());
        response = std::move(*message);
        break;
      }
      case PacketType::kCmdUnknown:
        // The registration stands; drop it so the connection stays usable.
        if (auto r = Unregister(event); !r) return r.error();
        return MakeError(Error::Code::kProtocol,
                         fmt::format("charon does not know the VICI command \"{}\"", command));
      default:
        return Break(MakeError(
            Error::Code::kProtocol,
            fmt::format("unexpected VICI {} while streaming \"{}\"",
                        PacketTypeName(static_cast<std::uint8_t>(packet->type)), command)));
    }
  }
  if (auto r = Unregister(event); !r) return r.error();
  return std::move(*response);
}

}  // namespace edgediag::vici

#include "tests/support/fake_charon.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>

#include "vici/builder.h"

namespace edgediag::testing {

using vici::Packet;
using vici::PacketType;

FakeCharon::FakeCharon(std::string path) : path_(std::move(path)) {
  int stop[2];
  if (::pipe2(stop, O_CLOEXEC) != 0) std::abort();
  stop_read_.Reset(stop[0]);
  stop_write_.Reset(stop[1]);
  if (path_.empty()) {
    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) std::abort();
    server_fd_.Reset(sv[0]);
    client_fd_.Reset(sv[1]);
  } else {
    listen_fd_.Reset(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path_.c_str(), sizeof(addr.sun_path) - 1);
    ::unlink(path_.c_str());
    if (::bind(listen_fd_.get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
        ::listen(listen_fd_.get(), 4) != 0) {
      std::abort();
    }
  }
}

FakeCharon::~FakeCharon() {
  const char c = 0;
  (void)!::write(stop_write_.get(), &c, 1);
  if (thread_.joinable()) thread_.join();
  if (!path_.empty()) ::unlink(path_.c_str());
}

void FakeCharon::OnCommand(const std::string& name, vici::Message response,
                           const std::string& event, std::vector<vici::Message> events) {
  commands_[name] = Streamed{std::move(response), event, std::move(events)};
  if (!event.empty()) known_events_.insert(event);
}

void FakeCharon::OnCommandRaw(const std::string& name, RawHandler handler) {
  raw_[name] = std::move(handler);
}

void FakeCharon::KnowEvent(const std::string& name) { known_events_.insert(name); }

void FakeCharon::Start() {
  thread_ = std::thread([this] { Serve(); });
}

UniqueFd FakeCharon::ClientFd() { return std::move(client_fd_); }

std::vector<Packet> FakeCharon::Received() const {
  std::lock_guard<std::mutex> lock(mu_);
  return received_;
}

std::vector<std::byte> FakeCharon::Frame(PacketType type, const std::string& name,
                                         const vici::Message& message) {
  auto body = vici::EncodeMessage(message);
  if (!body) std::abort();
  auto packet = vici::EncodePacket(type, name, *body);
  if (!packet) std::abort();
  return std::move(*packet);
}

std::vector<std::byte> FakeCharon::Fixture(const std::string& name) {
  std::ifstream in(std::string(EDGEDIAG_TESTDATA) + "/vici/" + name, std::ios::binary);
  if (!in) std::abort();
  std::vector<char> chars((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::byte> out(chars.size());
  std::memcpy(out.data(), chars.data(), chars.size());
  return out;
}

std::vector<Packet> FakeCharon::Frames(const std::vector<std::byte>& bytes) {
  std::vector<Packet> out;
  std::span<const std::byte> rest(bytes);
  while (!rest.empty()) {
    auto len = vici::DecodeFrameLength(rest);
    if (!len || rest.size() - vici::kLengthSize < *len) std::abort();
    auto packet = vici::DecodePacket(rest.subspan(vici::kLengthSize, *len));
    if (!packet) std::abort();
    out.push_back(std::move(*packet));
    rest = rest.subspan(vici::kLengthSize + *len);
  }
  return out;
}

// Waits for `fd` to be readable; false when asked to stop.
static bool WaitReadable(int fd, int stop_fd) {
  pollfd p[2] = {{fd, POLLIN, 0}, {stop_fd, POLLIN, 0}};
  while (::poll(p, 2, -1) < 0) {
  }
  return (p[1].revents & POLLIN) == 0;
}

bool FakeCharon::ReadAll(int fd, std::byte* data, std::size_t size) {
  std::size_t done = 0;
  while (done < size) {
    if (!WaitReadable(fd, stop_read_.get())) return false;
    const ssize_t n = ::recv(fd, data + done, size - done, 0);
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

void FakeCharon::HangUntilStopped() {
  pollfd p{stop_read_.get(), POLLIN, 0};
  while (::poll(&p, 1, -1) < 0) {
  }
}

void FakeCharon::Serve() {
  if (!path_.empty()) {
    if (!WaitReadable(listen_fd_.get(), stop_read_.get())) return;
    server_fd_.Reset(::accept4(listen_fd_.get(), nullptr, nullptr, SOCK_CLOEXEC));
    if (!server_fd_.valid()) return;
  }
  const int fd = server_fd_.get();
  while (true) {
    std::byte prefix[vici::kLengthSize];
    if (!ReadAll(fd, prefix, sizeof(prefix))) break;
    auto len = vici::DecodeFrameLength(prefix);
    if (!len) break;
    std::vector<std::byte> frame(*len);
    if (!ReadAll(fd, frame.data(), frame.size())) break;
    auto packet = vici::DecodePacket(frame);
    if (!packet) break;
    {
      std::lock_guard<std::mutex> lock(mu_);
      received_.push_back(*packet);
    }
    if (!Handle(fd, *packet)) break;
  }
  server_fd_.Reset();  // the client sees the close
}

static bool WriteAll(int fd, const std::vector<std::byte>& bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::send(fd, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

bool FakeCharon::Handle(int fd, const Packet& request) {
  switch (request.type) {
    case PacketType::kEventRegister:
    case PacketType::kEventUnregister: {
      const bool known = known_events_.count(request.name) > 0;
      if (known && request.type == PacketType::kEventRegister) registered_.insert(request.name);
      if (known && request.type == PacketType::kEventUnregister) registered_.erase(request.name);
      return WriteAll(fd, Frame(known ? PacketType::kEventConfirm : PacketType::kEventUnknown, ""));
    }
    case PacketType::kCmdRequest: {
      if (auto raw = raw_.find(request.name); raw != raw_.end()) {
        Script script = raw->second(request);
        if (!WriteAll(fd, script.bytes)) return false;
        if (script.then == Then::kClose) return false;
        if (script.then == Then::kHang) {
          HangUntilStopped();
          return false;
        }
        return true;
      }
      auto it = commands_.find(request.name);
      if (it == commands_.end()) return WriteAll(fd, Frame(PacketType::kCmdUnknown, ""));
      const Streamed& c = it->second;
      if (!c.event.empty() && registered_.count(c.event) > 0) {
        for (const vici::Message& event : c.events) {
          if (!WriteAll(fd, Frame(PacketType::kEvent, c.event, event))) return false;
        }
      }
      return WriteAll(fd, Frame(PacketType::kCmdResponse, "", c.response));
    }
    default:
      return false;  // charon drops clients that send what only it may send
  }
}

}  // namespace edgediag::testing

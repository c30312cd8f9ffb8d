#include "netlink/wg_uapi.h"

#include <arpa/inet.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <charconv>
#include <cstddef>

#include "base/unique_fd.h"

namespace edgediag::netlink {
namespace {

constexpr std::size_t kMaxReply = 64u << 20;  // 100,000 peers are ~40 MiB

template <typename T>
bool Number(std::string_view v, T& out) {
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  return ec == std::errc() && p == v.data() + v.size();
}

int Hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// A 32-byte key in hex -> base64, as `wg` prints it.
bool HexKeyToBase64(std::string_view hex, std::string& out) {
  if (hex.size() != 64) return false;
  std::array<std::byte, 32> key{};
  for (std::size_t i = 0; i < 32; ++i) {
    int hi = Hex(hex[2 * i]), lo = Hex(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    key[i] = static_cast<std::byte>(hi * 16 + lo);
  }
  out = Base64(key);
  return true;
}

// Whether a hex key is set (not all zero), without copying it.
bool KeySet(std::string_view hex) { return hex.find_first_not_of('0') != std::string_view::npos; }

bool AllowedIp(std::string_view v, WgAllowedIp& a) {
  auto slash = v.find('/');
  if (slash == std::string_view::npos) return false;
  std::string addr(v.substr(0, slash));
  unsigned char buf[16];
  if (inet_pton(AF_INET, addr.c_str(), buf) == 1)
    a.family = AF_INET;
  else if (inet_pton(AF_INET6, addr.c_str(), buf) == 1)
    a.family = AF_INET6;
  else
    return false;
  if (!Number(v.substr(slash + 1), a.cidr_mask) || a.cidr_mask < 0 ||
      a.cidr_mask > (a.family == AF_INET ? 32 : 128))
    return false;
  a.ipaddr = std::move(addr);
  return true;
}

}  // namespace

Result<WgDevice> DecodeUapiGet(std::string_view ifname, std::string_view reply) {
  WgDevice dev;
  dev.ifname = std::string(ifname);
  bool have_errno = false;
  std::size_t line_no = 0;
  while (!reply.empty()) {
    auto nl = reply.find('\n');
    std::string_view line = reply.substr(0, nl);
    reply.remove_prefix(nl == std::string_view::npos ? reply.size() : nl + 1);
    ++line_no;
    if (line.empty()) {
      if (have_errno) break;
      continue;
    }
    auto eq = line.find('=');
    if (eq == std::string_view::npos)
      return MakeError(Error::Code::kProtocol,
                       "UAPI reply line " + std::to_string(line_no) + ": no '='");
    std::string_view key = line.substr(0, eq), value = line.substr(eq + 1);
    auto bad = [&] {
      // The value is not quoted: it may be a key.
      return MakeError(Error::Code::kProtocol, "UAPI reply line " + std::to_string(line_no) +
                                                   ": bad value for " + std::string(key));
    };
    WgPeerInfo* peer = dev.peers.empty() ? nullptr : &dev.peers.back();
    if (key == "errno") {
      int e = 0;
      if (!Number(value, e)) return bad();
      if (e != 0)
        return MakeError(CodeFromErrno(e), "UAPI get on " + std::string(ifname) +
                                               " failed: errno " + std::to_string(e));
      have_errno = true;
    } else if (key == "private_key") {
      dev.private_key_set = KeySet(value);  // never copied
    } else if (key == "preshared_key") {
      if (peer) peer->preshared_key_set = KeySet(value);  // never copied
    } else if (key == "listen_port") {
      if (!Number(value, dev.listen_port)) return bad();
    } else if (key == "fwmark") {
      if (!Number(value, dev.fwmark)) return bad();
    } else if (key == "public_key") {
      WgPeerInfo p;
      if (!HexKeyToBase64(value, p.public_key)) return bad();
      dev.peers.push_back(std::move(p));
    } else if (!peer) {
      continue;  // a device-level key we do not use
    } else if (key == "endpoint") {
      peer->endpoint = std::string(value);
    } else if (key == "last_handshake_time_sec") {
      if (!Number(value, peer->last_handshake_time_sec)) return bad();
    } else if (key == "last_handshake_time_nsec") {
      if (!Number(value, peer->last_handshake_time_nsec)) return bad();
    } else if (key == "rx_bytes") {
      if (!Number(value, peer->rx_bytes)) return bad();
    } else if (key == "tx_bytes") {
      if (!Number(value, peer->tx_bytes)) return bad();
    } else if (key == "persistent_keepalive_interval") {
      if (!Number(value, peer->persistent_keepalive_interval)) return bad();
    } else if (key == "protocol_version") {
      std::uint32_t v = 0;
      if (!Number(value, v)) return bad();
      peer->protocol_version = v;
    } else if (key == "allowed_ip") {
      WgAllowedIp a;
      if (!AllowedIp(value, a)) return bad();
      peer->allowedips.push_back(std::move(a));
    }
  }
  if (!have_errno)
    return MakeError(Error::Code::kProtocol,
                     "UAPI reply from " + std::string(ifname) + " ended without errno");
  return dev;
}

Result<WgDevice> ReadUapiDevice(const std::string& socket_path, const std::string& ifname,
                                std::chrono::milliseconds timeout) {
  auto fail = [&](const char* what) {
    int e = errno;
    return MakeError(CodeFromErrno(e), std::string(what) + " " + socket_path + ": " + strerror(e));
  };
  UniqueFd fd(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return fail("socket for");
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (socket_path.size() >= sizeof(addr.sun_path))
    return MakeError(Error::Code::kInvalidInput, socket_path + ": path too long");
  memcpy(addr.sun_path, socket_path.c_str(), socket_path.size() + 1);
  timeval tv{static_cast<time_t>(timeout.count() / 1000),
             static_cast<suseconds_t>((timeout.count() % 1000) * 1000)};
  setsockopt(fd.get(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
  setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  if (connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0)
    return fail("cannot connect to");
  static constexpr char kGet[] = "get=1\n\n";
  if (send(fd.get(), kGet, sizeof(kGet) - 1, MSG_NOSIGNAL) != sizeof(kGet) - 1)
    return fail("cannot write to");
  const auto until = std::chrono::steady_clock::now() + timeout;
  std::string reply;
  std::array<char, 65536> buf;
  Result<WgDevice> result = MakeError(Error::Code::kTimeout, "no answer from " + socket_path);
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        until - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    pollfd p{fd.get(), POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
    ssize_t n = read(fd.get(), buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      result = fail("cannot read from");
      break;
    }
    if (n > 0) {
      if (reply.size() + static_cast<std::size_t>(n) > kMaxReply) {
        result = MakeError(Error::Code::kProtocol, socket_path + ": reply over 64 MiB");
        break;
      }
      // Grown by hand so that no reallocation leaves a copy of the keys behind.
      if (reply.capacity() < reply.size() + static_cast<std::size_t>(n)) {
        std::string bigger;
        bigger.reserve(std::max(reply.capacity() * 2, reply.size() + static_cast<std::size_t>(n)));
        bigger = reply;
        explicit_bzero(reply.data(), reply.size());
        reply.swap(bigger);
      }
      reply.append(buf.data(), static_cast<std::size_t>(n));
    }
    // The reply ends with "errno=N\n\n"; a closed socket ends it too.
    bool done = n == 0;
    if (!done && reply.ends_with("\n\n")) {
      std::string_view tail(reply);
      tail.remove_suffix(2);
      auto last = tail.rfind('\n');
      tail.remove_prefix(last == std::string_view::npos ? 0 : last + 1);
      done = tail.starts_with("errno=");
    }
    if (done) {
      result = DecodeUapiGet(ifname, reply);
      break;
    }
  }
  explicit_bzero(reply.data(), reply.size());
  explicit_bzero(buf.data(), buf.size());
  return result;
}

}  // namespace edgediag::netlink

// Friendly names and configured endpoints of WireGuard peers, from VyOS's
// configuration and wg-quick files. The files hold private (and preshared)
// keys: they are read through a fixed buffer a line at a time, a key line is
// never copied, and the buffer and each line are wiped after use.
#include "plugin/wg_config.h"

#include <dirent.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <functional>

#include "base/unique_fd.h"

namespace edgediag::plugin {
namespace {

constexpr std::size_t kMaxLine = 4096;
constexpr std::size_t kMaxFile = 64u << 20;  // a config.boot of a large router is a few MiB

std::string_view Trim(std::string_view v) {
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t' || v.front() == '\r')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t' || v.back() == '\r')) v.remove_suffix(1);
  return v;
}

bool IEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return (x | 0x20) == (y | 0x20);
         });
}

std::string Unquote(std::string_view v) {
  v = Trim(v);
  if (v.size() >= 2 && (v.front() == '"' || v.front() == '\'') && v.back() == v.front())
    v = v.substr(1, v.size() - 2);
  return std::string(v);
}

// Calls `line` for every line of `path` (without its newline). Lines longer
// than kMaxLine are passed over whole. Nothing read outlives the call: the
// read buffer and the line are wiped.
Result<void> ForEachLine(const std::string& path, const std::function<void(std::string_view)>& line) {
  UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
  if (!fd.valid()) {
    int e = errno;
    return MakeError(CodeFromErrno(e), "cannot read " + path + ": " + strerror(e));
  }
  struct stat st {};
  if (fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode))
    return MakeError(Error::Code::kInvalidInput, path + ": not a regular file");
  if (static_cast<std::size_t>(st.st_size) > kMaxFile)
    return MakeError(Error::Code::kInvalidInput, path + ": larger than 64 MiB");
  std::array<char, 16384> buf;
  std::string current;
  current.reserve(kMaxLine);
  bool too_long = false;
  Result<void> result{};
  for (;;) {
    ssize_t n = read(fd.get(), buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int e = errno;
      result = MakeError(CodeFromErrno(e), "cannot read " + path + ": " + strerror(e));
      break;
    }
    if (n == 0) break;
    for (ssize_t i = 0; i < n; ++i) {
      char c = buf[static_cast<std::size_t>(i)];
      if (c == '\n') {
        if (!too_long) line(current);
        explicit_bzero(current.data(), current.size());
        current.clear();
        too_long = false;
      } else if (current.size() < kMaxLine) {
        current.push_back(c);
      } else {
        too_long = true;
      }
    }
  }
  if (!current.empty() && !too_long && result) line(current);
  explicit_bzero(current.data(), current.capacity());
  explicit_bzero(buf.data(), buf.size());
  return result;
}

// %XX in a tag node's directory name (vyatta-cfg escapes '/' and '%').
std::string UrlDecode(std::string_view v) {
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) {
    auto hex = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f') return (c | 0x20) - 'a' + 10;
      return -1;
    };
    if (v[i] == '%' && i + 2 < v.size() && hex(v[i + 1]) >= 0 && hex(v[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex(v[i + 1]) * 16 + hex(v[i + 2])));
      i += 2;
    } else {
      out.push_back(v[i]);
    }
  }
  return out;
}

std::vector<std::string> List(const std::string& dir) {
  std::vector<std::string> out;
  DIR* d = opendir(dir.c_str());
  if (!d) return out;
  while (dirent* e = readdir(d)) {
    std::string n = e->d_name;
    if (n != "." && n != "..") out.push_back(std::move(n));
  }
  closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

bool IsDirectory(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// The first line of a leaf's node.val (public keys and addresses carry no
// secret; private-key's node.val is never opened).
std::string NodeValue(const std::string& dir) {
  std::string value;
  bool first = true;
  (void)ForEachLine(dir + "/node.val", [&](std::string_view l) {
    if (first) value = Unquote(l);
    first = false;
  });
  return value;
}

}  // namespace

WgConfigPaths WgConfigPaths::Under(const std::string& root) {
  WgConfigPaths p;
  if (root.empty()) return p;
  p.vyos_active = root + p.vyos_active;
  p.vyos_boot = root + p.vyos_boot;
  p.wg_quick = root + p.wg_quick;
  return p;
}

Result<WgConfig> ReadVyosActiveTree(const std::string& dir) {
  const std::string base = dir + "/interfaces/wireguard";
  if (!IsDirectory(dir)) return MakeError(Error::Code::kUnavailable, dir + ": no such directory");
  WgConfig config;
  for (const auto& iface_dir : List(base)) {
    std::string iface = UrlDecode(iface_dir);
    WgConfigInterface& w = config[iface];
    w.source = base + "/" + iface_dir;
    const std::string peers = w.source + "/peer";
    for (const auto& peer_dir : List(peers)) {
      const std::string at = peers + "/" + peer_dir;
      std::string key = NodeValue(at + "/public-key");
      if (key.empty()) key = NodeValue(at + "/pubkey");  // VyOS 1.3
      if (key.empty()) continue;
      WgConfigPeer& p = w.peers[key];
      p.name = UrlDecode(peer_dir);
      p.endpoint = IsDirectory(at + "/address") || IsDirectory(at + "/host-name");
    }
  }
  return config;
}

Result<WgConfig> ReadVyosConfigBoot(const std::string& path) {
  WgConfig config;
  // The path of nodes down to the current line: "interfaces", "wireguard
  // wg0", "peer NAME".
  std::vector<std::string> stack;
  std::string key;
  WgConfigPeer peer;
  auto r = ForEachLine(path, [&](std::string_view raw) {
    std::string_view l = Trim(raw);
    if (l.empty() || l.starts_with("//") || l.starts_with("/*")) return;
    // A private key is passed over before anything is copied.
    if (l.starts_with("private-key") || l.starts_with("preshared-key")) return;
    if (l.back() == '{') {
      stack.emplace_back(Trim(l.substr(0, l.size() - 1)));
      if (stack.size() == 3) {
        key.clear();
        peer = {};
      }
      return;
    }
    if (l == "}") {
      if (stack.size() == 3 && stack[0] == "interfaces" && stack[1].starts_with("wireguard ") &&
          stack[2].starts_with("peer ") && !key.empty()) {
        std::string iface = Unquote(std::string_view(stack[1]).substr(10));
        WgConfigInterface& w = config[iface];
        w.source = path;
        peer.name = Unquote(std::string_view(stack[2]).substr(5));
        w.peers[key] = peer;
      }
      if (stack.size() == 2 && stack[0] == "interfaces" && stack[1].starts_with("wireguard "))
        config[Unquote(std::string_view(stack[1]).substr(10))].source = path;
      if (!stack.empty()) stack.pop_back();
      return;
    }
    if (stack.size() != 3 || stack[0] != "interfaces" || !stack[1].starts_with("wireguard ") ||
        !stack[2].starts_with("peer "))
      return;
    auto space = l.find(' ');
    std::string_view name = l.substr(0, space);
    std::string_view value = space == std::string_view::npos ? "" : l.substr(space + 1);
    if (name == "public-key" || name == "pubkey")
      key = Unquote(value);
    else if (name == "address" || name == "host-name")
      peer.endpoint = true;
  });
  if (!r) return r.error();
  return config;
}

Result<WgConfigInterface> ReadWgQuickFile(const std::string& path) {
  WgConfigInterface w;
  w.source = path;
  bool in_peer = false;
  std::string key, name, pending;
  bool endpoint = false;
  auto flush = [&] {
    if (in_peer && !key.empty()) w.peers[key] = {name, endpoint};
    key.clear();
    name.clear();
    endpoint = false;
  };
  auto r = ForEachLine(path, [&](std::string_view raw) {
    std::string_view l = Trim(raw);
    if (l.empty()) return;
    if (l.front() == '#') {
      // "# Name = alice" (and "# friendly_name = alice", as
      // prometheus_wireguard_exporter reads them).
      std::string_view c = Trim(l.substr(1));
      auto eq = c.find('=');
      if (eq == std::string_view::npos) return;
      std::string_view k = Trim(c.substr(0, eq));
      if (!IEquals(k, "name") && !IEquals(k, "friendly_name")) return;
      std::string v = Unquote(c.substr(eq + 1));
      // Inside a [Peer] that has no name yet it names that peer; elsewhere
      // it is for the [Peer] that follows.
      if (in_peer && name.empty())
        name = std::move(v);
      else
        pending = std::move(v);
      return;
    }
    if (l.front() == '[') {
      flush();
      in_peer = IEquals(l, "[Peer]");
      if (in_peer) name = std::exchange(pending, std::string());
      return;
    }
    if (!in_peer) return;  // [Interface] holds PrivateKey: never looked at further
    auto eq = l.find('=');
    if (eq == std::string_view::npos) return;
    std::string_view k = Trim(l.substr(0, eq));
    if (IEquals(k, "PublicKey"))
      key = std::string(Trim(l.substr(eq + 1)));
    else if (IEquals(k, "Endpoint"))
      endpoint = !Trim(l.substr(eq + 1)).empty();
    // PresharedKey and anything else: passed over.
  });
  flush();
  if (!r) return r.error();
  return w;
}

WgConfig ReadWireguardConfig(const WgConfigPaths& paths, std::vector<std::string>* warnings) {
  WgConfig config;
  auto vyos = ReadVyosActiveTree(paths.vyos_active);
  if (!vyos || vyos->empty()) {
    auto boot = ReadVyosConfigBoot(paths.vyos_boot);
    if (boot)
      vyos = std::move(boot);
    else if (boot.error().code != Error::Code::kUnavailable && warnings)
      warnings->push_back(boot.error().what);
  }
  if (vyos) config = std::move(*vyos);
  for (const auto& f : List(paths.wg_quick)) {
    if (f.size() <= 5 || !f.ends_with(".conf")) continue;
    std::string iface = f.substr(0, f.size() - 5);
    if (config.count(iface)) continue;  // VyOS's own configuration wins
    auto w = ReadWgQuickFile(paths.wg_quick + "/" + f);
    if (!w) {
      if (warnings) warnings->push_back(w.error().what);
      continue;
    }
    config[iface] = std::move(*w);
  }
  return config;
}

void ApplyWireguardConfig(const WgConfig& config, std::vector<WgInterface>& interfaces) {
  for (auto& w : interfaces) {
    auto it = config.find(w.name);
    if (it == config.end()) continue;
    w.config = it->second.source;
    for (auto& p : w.peers) {
      auto c = it->second.peers.find(p.public_key);
      if (c == it->second.peers.end()) continue;
      if (p.name.empty()) p.name = c->second.name;
      p.endpoint_configured = c->second.endpoint;
    }
  }
}

std::vector<std::string> MarkExpectedUp(std::vector<WgInterface>& interfaces,
                                        std::span<const std::string> names) {
  std::vector<std::string> unmatched;
  for (const auto& n : names) {
    bool matched = false;
    for (auto& w : interfaces) {
      bool all = n == w.name;
      for (auto& p : w.peers) {
        if (all || n == p.public_key || (!p.name.empty() && n == p.name) ||
            (n.size() == w.name.size() + 1 + p.public_key.size() && n.starts_with(w.name) &&
             n[w.name.size()] == ':' && n.ends_with(p.public_key))) {
          p.expect_up = true;
          matched = true;
        }
      }
      matched |= all;
    }
    if (!matched) unmatched.push_back(n);
  }
  return unmatched;
}

}  // namespace edgediag::plugin

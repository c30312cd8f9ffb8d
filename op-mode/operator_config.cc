#include "op-mode/operator_config.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>

#include <fmt/format.h>

#include "base/read_file.h"
#include "plugin/ip.h"

namespace edgediag::opmode {
namespace {

constexpr std::size_t kMaxConfigBytes = 1 << 20;
constexpr std::uint32_t kMaxPrefixLimit = 1'000'000;

std::string_view Trim(std::string_view s) {
  auto first = s.find_first_not_of(" \t\r");
  if (first == std::string_view::npos) return {};
  auto last = s.find_last_not_of(" \t\r");
  return s.substr(first, last - first + 1);
}

bool IsKey(std::string_view k) {
  return !k.empty() && std::all_of(k.begin(), k.end(), [](char c) { return (c >= 'a' && c <= 'z') || c == '-'; });
}

// Printable ASCII without white space: names, keys, VIF ids.
bool IsWord(std::string_view v) {
  return !v.empty() && std::all_of(v.begin(), v.end(), [](char c) { return c > ' ' && c < 0x7f; });
}

// A VIF id as AWS prints it: "dxvif-" and letters or digits.
bool IsVifId(std::string_view v) {
  constexpr std::string_view kPrefix = "dxvif-";
  if (v.size() <= kPrefix.size() || v.substr(0, kPrefix.size()) != kPrefix) return false;
  return std::all_of(v.begin() + kPrefix.size(), v.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  });
}

// The printable form of a value in an error: control bytes escaped, cut short.
std::string Shown(std::string_view v) {
  std::string out;
  for (char c : v.substr(0, 60)) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
      out += fmt::format("\\x{:02x}", static_cast<unsigned char>(c));
    else
      out += c;
  }
  if (v.size() > 60) out += "...";
  return out;
}

}  // namespace

std::optional<std::uint32_t> ParsePrefixLimit(std::string_view text) {
  std::uint32_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size() || n == 0 || n > kMaxPrefixLimit)
    return std::nullopt;
  return n;
}

Result<OperatorConfig> ParseOperatorConfig(std::string_view text, const std::string& path) {
  OperatorConfig c;
  c.path = path;
  std::map<std::string, int> limit_line;  // VIF id -> line that set it
  int line_no = 0;
  while (!text.empty()) {
    ++line_no;
    auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    std::string_view t = Trim(line);
    if (t.empty() || t.front() == '#') continue;
    auto bad = [&](std::string_view key, const std::string& what) {
      return MakeError(Error::Code::kInvalidInput,
                       fmt::format("{}:{}: key '{}': {}", path, line_no, Shown(key), what));
    };
    auto eq = t.find('=');
    if (eq == std::string_view::npos)
      return MakeError(Error::Code::kInvalidInput,
                       fmt::format("{}:{}: '{}' is not a 'key = value' line", path, line_no,
                                   Shown(t)));
    std::string_view key = Trim(t.substr(0, eq));
    std::string_view value = Trim(t.substr(eq + 1));
    if (!IsKey(key))
      return bad(key, "not a key (lower-case letters and '-'); known keys: prefix-limit, "
                      "expect-up, probe-target");
    if (value.empty()) return bad(key, "no value after '='");
    if (key == "prefix-limit") {
      // VIF-ID=N: the VIF's id and its per-family limit.
      auto eq2 = value.find('=');
      if (eq2 == std::string_view::npos)
        return bad(key, fmt::format("'{}' is not VIF-ID=N (e.g. dxvif-ffabc123=200)", Shown(value)));
      std::string_view vif = Trim(value.substr(0, eq2));
      std::string_view num = Trim(value.substr(eq2 + 1));
      if (!IsVifId(vif))
        return bad(key, fmt::format("'{}' is not a VIF id (dxvif- and letters or digits)", Shown(vif)));
      auto n = ParsePrefixLimit(num);
      if (!n)
        return bad(key, fmt::format("'{}' is not a prefix limit (a whole number from 1 to {})",
                                    Shown(num), kMaxPrefixLimit));
      std::string id(vif);
      if (auto seen = limit_line.find(id); seen != limit_line.end())
        return bad(key, fmt::format("{} already has a limit, on line {}", id, seen->second));
      limit_line[id] = line_no;
      c.prefix_limits[id] = *n;
    } else if (key == "expect-up") {
      // A WireGuard public key, a peer name, an interface, or an IPsec
      // connection or CHILD name: one word.
      if (!IsWord(value))
        return bad(key, fmt::format("'{}' is not one name (no spaces or control characters)",
                                    Shown(value)));
      c.expect_up.emplace_back(value);
    } else if (key == "probe-target") {
      // TUNNEL=ADDR: where to send the tunnel's probe.
      auto eq2 = value.find('=');
      if (eq2 == std::string_view::npos)
        return bad(key, fmt::format("'{}' is not TUNNEL=ADDRESS (e.g. wg0=10.2.0.1)", Shown(value)));
      std::string_view tunnel = Trim(value.substr(0, eq2));
      std::string_view addr = Trim(value.substr(eq2 + 1));
      if (!IsWord(tunnel)) return bad(key, "no tunnel name before '='");
      auto a = plugin::ParsePrefix(addr);
      if (!a || addr.find('/') != std::string_view::npos)
        return bad(key, fmt::format("'{}' is not an IPv4 or IPv6 address", Shown(addr)));
      c.probe_targets.emplace_back(std::string(tunnel), std::string(addr));
    } else {
      return bad(key, "unknown key; known keys: prefix-limit, expect-up, probe-target");
    }
  }
  return c;
}

Result<OperatorConfig> ReadOperatorConfig(const std::string& explicit_path,
                                          std::span<const char* const> defaults) {
  std::string path = explicit_path;
  if (path.empty()) {
    for (const char* d : defaults) {
      struct stat st{};
      if (::stat(d, &st) == 0 || errno != ENOENT) {
        path = d;
        break;
      }
    }
    if (path.empty()) return OperatorConfig{};  // no file: nothing configured
  }
  auto text = ReadRegularFile(path, kMaxConfigBytes);
  if (!text) {
    Error e = text.error();
    if (e.code == Error::Code::kUnavailable && !explicit_path.empty())
      e.what += " (--config names a file that must exist)";
    return e;
  }
  return ParseOperatorConfig(text->text, path);
}

void ApplyPrefixLimits(const OperatorConfig& config, std::optional<std::uint32_t> cli_limit,
                       std::vector<plugin::Vif>& vifs) {
  for (auto& v : vifs) {
    if (cli_limit) {
      v.prefix_limit = *cli_limit;
      v.prefix_limit_source = "--prefix-limit";
    } else if (auto it = config.prefix_limits.find(v.virtualInterfaceId);
               it != config.prefix_limits.end()) {
      v.prefix_limit = it->second;
      v.prefix_limit_source = config.path;
    }
  }
}

}  // namespace edgediag::opmode

#include "netlink/proc_counters.h"

#include <algorithm>
#include <charconv>
#include <vector>

#include "base/read_file.h"

namespace edgediag::netlink {
namespace {

std::vector<std::string_view> Words(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) ++i;
    std::size_t j = i;
    while (j < line.size() && line[j] != ' ' && line[j] != '\t' && line[j] != '\r') ++j;
    if (j > i) out.push_back(line.substr(i, j - i));
    i = j;
  }
  return out;
}

std::vector<std::string_view> Lines(std::string_view text) {
  std::vector<std::string_view> out;
  while (!text.empty()) {
    std::size_t nl = text.find('\n');
    out.push_back(text.substr(0, nl));
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return out;
}

std::optional<std::uint64_t> ParseU64(std::string_view s) {
  std::uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

}  // namespace

Result<std::map<std::string, CounterMap>> ParseNetstat(std::string_view text) {
  std::map<std::string, CounterMap> out;
  auto lines = Lines(text);
  std::size_t i = 0;
  while (i < lines.size()) {
    auto names = Words(lines[i]);
    if (names.empty()) {
      ++i;
      continue;
    }
    if (names[0].size() < 2 || names[0].back() != ':')
      return MakeError(Error::Code::kInvalidInput,
                       "netstat: line " + std::to_string(i + 1) + " has no section name");
    if (i + 1 >= lines.size())
      return MakeError(Error::Code::kInvalidInput,
                       "netstat: section " + std::string(names[0]) + " has no value line");
    auto values = Words(lines[i + 1]);
    if (values.empty() || values[0] != names[0])
      return MakeError(Error::Code::kInvalidInput,
                       "netstat: line " + std::to_string(i + 2) + " does not continue section " +
                           std::string(names[0]));
    if (values.size() != names.size())
      return MakeError(Error::Code::kInvalidInput,
                       "netstat: section " + std::string(names[0]) + " has " +
                           std::to_string(names.size() - 1) + " names but " +
                           std::to_string(values.size() - 1) + " values");
    std::string section(names[0].substr(0, names[0].size() - 1));
    CounterMap& counters = out[section];
    for (std::size_t k = 1; k < names.size(); ++k) {
      auto v = ParseU64(values[k]);
      if (!v)
        return MakeError(Error::Code::kInvalidInput,
                         "netstat: " + section + ":" + std::string(names[k]) + " is not a number");
      counters[std::string(names[k])] = *v;
    }
    i += 2;
  }
  return out;
}

Result<CounterMap> ParseXfrmStat(std::string_view text) {
  CounterMap out;
  auto lines = Lines(text);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    auto w = Words(lines[i]);
    if (w.empty()) continue;
    std::optional<std::uint64_t> v;
    if (w.size() == 2) v = ParseU64(w[1]);
    if (!v)
      return MakeError(Error::Code::kInvalidInput,
                       "xfrm_stat: line " + std::to_string(i + 1) + " is not \"Name value\"");
    out[std::string(w[0])] = *v;
  }
  return out;
}

Result<int> ParseSysctlInt(std::string_view text) {
  auto w = Words(Lines(text).empty() ? std::string_view{} : Lines(text)[0]);
  int v = 0;
  if (w.size() == 1) {
    auto [p, ec] = std::from_chars(w[0].data(), w[0].data() + w[0].size(), v);
    if (ec == std::errc() && p == w[0].data() + w[0].size()) return v;
  }
  return MakeError(Error::Code::kInvalidInput, "sysctl value is not one integer");
}

int EffectiveRpFilter(int all, int interface) { return std::max(all, interface); }

Result<std::string> ReadSmallFile(const std::string& path) { return ReadFile(path, 4u << 20); }

Result<std::map<std::string, CounterMap>> ReadNetstat(const std::string& path) {
  auto text = ReadSmallFile(path);
  if (!text) return text.error();
  auto parsed = ParseNetstat(*text);
  if (!parsed) return MakeError(parsed.error().code, path + ": " + parsed.error().what);
  return parsed;
}

Result<std::optional<CounterMap>> ReadXfrmStat(const std::string& path) {
  auto text = ReadSmallFile(path);
  if (!text) {
    if (text.error().code == Error::Code::kUnavailable) return std::optional<CounterMap>{};
    return text.error();
  }
  auto parsed = ParseXfrmStat(*text);
  if (!parsed) return MakeError(parsed.error().code, path + ": " + parsed.error().what);
  return std::optional<CounterMap>(std::move(*parsed));
}

Result<int> ReadRpFilter(const std::string& name, const std::string& root) {
  if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos)
    return MakeError(Error::Code::kInvalidInput, "bad interface name for rp_filter");
  std::string path = root + "/" + name + "/rp_filter";
  auto text = ReadSmallFile(path);
  if (!text) return text.error();
  auto v = ParseSysctlInt(*text);
  if (!v) return MakeError(v.error().code, path + ": " + v.error().what);
  return v;
}

}  // namespace edgediag::netlink

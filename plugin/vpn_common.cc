// Helpers every VPN rule shares: the host subject, /proc counters and their
// deltas, and the formatters of bytes, ages and sample hosts.
#include "plugin/vpn_common.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

namespace edgediag::plugin {

Subject HostSubject(const Snapshot& s) {
  return {SubjectKind::kHost, s.hostname.empty() ? "localhost" : s.hostname, "", "", ""};
}

bool ViciOk(const Snapshot& s) { return s.Source(kSourceVici).state == SourceState::kOk; }
bool KernelOk(const Snapshot& s) { return s.Source(kSourceKernel).state == SourceState::kOk; }

std::optional<std::uint64_t> CounterValue(const Snapshot& s, std::string_view name) {
  for (const auto* m : {&s.counters.xfrm_stat, &s.counters.tcp_ext, &s.counters.ip_ext}) {
    auto it = m->find(std::string(name));
    if (it != m->end()) return it->second;
  }
  return std::nullopt;
}

std::optional<std::uint64_t> CounterDelta(const Snapshot& now, const Snapshot* previous,
                                          std::string_view name) {
  if (!previous) return std::nullopt;
  auto a = CounterValue(*previous, name);
  auto b = CounterValue(now, name);
  if (!a || !b) return std::nullopt;
  return *b >= *a ? *b - *a : *b;
}

std::int64_t WindowSeconds(const Snapshot& now, const Snapshot& previous) {
  return std::max<std::int64_t>(1, (now.taken_at_ms - previous.taken_at_ms) / 1000);
}

bool IsPrivateAddress(const Prefix& p) {
  const auto& b = p.bytes;
  if (p.family == 4)
    return b[0] == 10 || (b[0] == 172 && (b[1] & 0xf0) == 16) || (b[0] == 192 && b[1] == 168) ||
           (b[0] == 100 && (b[1] & 0xc0) == 64);
  return p.family == 6 && (b[0] & 0xfe) == 0xfc;
}

namespace {

std::string Integer(std::int64_t v, std::string_view unit) {
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof(buf), v);
  std::string out(buf, r.ptr);
  out += unit;
  return out;
}

// n / 2^shift with one decimal, rounded half to even as printf's "%.1f"
// rounds the exact quotient; in integers, as this runs once per peer.
std::string OneDecimal(std::uint64_t n, int shift, std::string_view unit) {
  const std::uint64_t mask = (std::uint64_t{1} << shift) - 1, half = std::uint64_t{1} << (shift - 1);
  std::uint64_t whole = n >> shift, tenths = ((n & mask) * 10) >> shift;
  std::uint64_t rest = ((n & mask) * 10) & mask;
  if (rest > half || (rest == half && (tenths & 1))) ++tenths;
  if (tenths == 10) ++whole, tenths = 0;
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof(buf), whole);
  std::string out(buf, r.ptr);
  out += '.';
  out += static_cast<char>('0' + tenths);
  out += unit;
  return out;
}

}  // namespace

std::string Cat(std::initializer_list<std::string_view> parts) {
  std::size_t n = 0;
  for (std::string_view p : parts) n += p.size();
  std::string out;
  out.reserve(n);
  for (std::string_view p : parts) out.append(p);
  return out;
}

std::string FormatBytes(std::uint64_t n) {
  if (n < 1024) return Integer(static_cast<std::int64_t>(n), " B");
  if (n < 1024 * 1024) return OneDecimal(n, 10, " KiB");
  if (n < 1024ull * 1024 * 1024) return OneDecimal(n, 20, " MiB");
  return OneDecimal(n, 30, " GiB");
}

std::string FormatAge(std::int64_t s) {
  if (s < 120) return Integer(s, " s");
  if (s < 2 * 3600) return Integer(s / 60, " min");
  if (s < 2 * 86400) return Integer(s / 3600, " h");
  return Integer(s / 86400, " days");
}

std::string SampleHost(const Prefix& p) {
  Prefix h = p.Network();
  h.len = h.MaxLen();
  if (p.len < p.MaxLen() - 1) {  // skip the network address where there is room
    int last = p.family == 6 ? 15 : 3;
    h.bytes[last] |= 1;
  }
  return h.Address();
}

}  // namespace edgediag::plugin

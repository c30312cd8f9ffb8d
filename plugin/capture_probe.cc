// The only packets edgediag ever sends, both opt-in (--probe):
//  - dx: DF-set pings toward the Amazon peer; two echo requests per size,
//    one second each at most;
//  - vpn: three echo requests through each healthy-looking tunnel, from an
//    address inside its local selector (or the tunnel interface's), one
//    second per tunnel, the tunnels side by side (12 pings at a time); and
//    through IPsec tunnels the path-MTU ladder: two DF-set echo requests
//    per size, at most four rounds of one second (CaptureTunnelProbes).
#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <thread>

#include "plugin/capture.h"
#include "plugin/capture_run.h"
#include "plugin/dx_match.h"
#include "plugin/ip.h"
#include "plugin/vpn_probe.h"

namespace edgediag::plugin {

std::vector<ProbeTarget> DxProbeTargets(const Snapshot& snapshot, const ReportFilter& filter) {
  std::vector<ProbeTarget> targets;
  for (const auto& p : MatchDx(snapshot)) {
    if (!p.amazon) continue;
    if (!filter.interface.empty() && (!p.iface || p.iface->name != filter.interface)) continue;
    if (!filter.peer.empty() && p.amazon->Address() != filter.peer) continue;
    ProbeTarget t{p.amazon->Address(), p.iface ? p.iface->name : "", {1500}};
    std::uint32_t mtu = p.vif && p.vif->mtu ? *p.vif->mtu : (p.iface ? p.iface->mtu : 1500);
    if (p.iface && p.iface->mtu && p.iface->mtu < mtu) mtu = p.iface->mtu;
    if (mtu != 1500) t.sizes.push_back(mtu);
    targets.push_back(std::move(t));
  }
  return targets;
}

void CaptureProbes(Snapshot& snapshot, const std::vector<ProbeTarget>& targets,
                   const CaptureOptions& options) {
  for (const auto& t : targets) {
    auto addr = ParseAddress(t.address);
    if (!addr) continue;
    for (std::uint32_t size : t.sizes) {
      // ping's -s is the ICMP payload: IP size minus 20+8 (IPv4) or 40+8 (IPv6).
      std::uint32_t overhead = EchoHeaderBytes(addr->family);
      if (size <= overhead) continue;
      std::vector<std::string> argv{"ping", addr->family == 6 ? "-6" : "-4", "-n", "-q",
                                    "-M", "do", "-c", "2", "-i", "0.2", "-W", "1",
                                    "-s", std::to_string(size - overhead)};
      if (!t.dev.empty()) argv.insert(argv.end(), {"-I", t.dev});
      argv.push_back(addr->Address());
      Probe p{.target = addr->Address(), .dev = t.dev, .size = size};
      auto r = RunProgram(argv, std::chrono::milliseconds(std::min(options.timeout_ms, 4000)), 1u << 20);
      if (!r) {
        p.detail = r.error().what;
      } else {
        p.ok = r->exit_code == 0;
        if (!p.ok) {
          std::string text = r->err.empty() ? r->out : r->err;
          auto nl = text.find('\n');
          p.detail = nl == std::string::npos ? text : text.substr(0, nl);
          if (r->exit_code == 1 && r->err.empty()) p.detail = "no answer";
        }
      }
      snapshot.probes.push_back(std::move(p));
    }
  }
}

namespace {

constexpr int kTunnelEchoes = 3;
constexpr int kLadderEchoes = 2;
constexpr std::size_t kParallelProbes = 12;  // capture_run tracks 16 helpers at once
// The path-MTU ladder: at most this many rounds after the first, this many
// sizes a round, for at most this many tunnels a run (the others keep the
// first bracket: the small echo answered, the full size lost).
constexpr int kLadderRounds = 3;
constexpr std::uint32_t kLadderSizes = 5;
constexpr std::size_t kLadderTunnels = 8;

// "3 packets transmitted, 0 received, ..." from ping's summary; false
// without one (ping could not start).
bool CountEchoes(const std::string& text, std::uint32_t& sent, std::uint32_t& received) {
  auto at = text.find(" packets transmitted, ");
  if (at == std::string::npos) return false;
  auto start = text.rfind('\n', at);
  start = start == std::string::npos ? 0 : start + 1;
  unsigned tx = 0, rx = 0;
  if (std::sscanf(text.c_str() + start, "%u packets transmitted, %u", &tx, &rx) != 2) return false;
  sent = tx;
  received = rx;
  return true;
}

// "ping: local error: message too long, mtu=1438": the router's own path
// MTU, which it would not exceed with DF set.
std::uint32_t LocalMtu(const std::string& err) {
  auto at = err.find("message too long, mtu=");
  if (at == std::string::npos) return 0;
  unsigned mtu = 0;
  return std::sscanf(err.c_str() + at, "message too long, mtu=%u", &mtu) == 1 ? mtu : 0;
}

// One ping through a tunnel: `size` is the IP packet's size; `df` sets
// Don't Fragment (the ladder) and sends kLadderEchoes, else kTunnelEchoes.
Probe PingTunnel(const TunnelProbeTarget& t, std::uint32_t size, bool df,
                 const CaptureOptions& options) {
  Probe p{.target = t.target, .dev = t.dev, .size = size, .tunnel = t.tunnel, .child = t.child,
          .source = t.source, .origin = t.origin, .df = df};
  auto addr = ParseAddress(t.target);
  if (!addr) {
    p.detail = "not an address";
    return p;
  }
  // ping's -s is the ICMP payload: the IP size less 20+8 (IPv4), 40+8 (IPv6).
  const std::uint32_t overhead = EchoHeaderBytes(addr->family);
  if (size <= overhead) size = p.size = overhead + 56;
  // -w 1: the whole probe ends after one second, answered or not.
  std::vector<std::string> argv{"ping", addr->family == 6 ? "-6" : "-4", "-n", "-c",
                                std::to_string(df ? kLadderEchoes : kTunnelEchoes), "-i", "0.2",
                                "-W", "1", "-w", "1", "-s", std::to_string(size - overhead)};
  if (df) argv.insert(argv.end(), {"-M", "do"});
  if (!t.source.empty())
    argv.insert(argv.end(), {"-I", t.source});
  else if (!t.dev.empty())
    argv.insert(argv.end(), {"-I", t.dev});
  argv.push_back(addr->Address());
  auto r = RunProgram(argv, std::chrono::milliseconds(std::min(options.timeout_ms, 3000)), 1u << 16);
  if (!r) {
    p.detail = r.error().what;
    return p;
  }
  const bool summary = CountEchoes(r->out, p.sent, p.received);
  p.ok = p.received > 0;
  if (df) p.mtu = LocalMtu(r->err);
  if (p.mtu != 0) {
    p.sent = 0;  // refused here: nothing of this size left the router
    p.detail = fmt::format("not sent: the router's path MTU is {}", p.mtu);
  } else if (df && summary && p.sent == 0) {
    // ping says nothing of why: the send failed with ENOBUFS, which it
    // retries quietly (a link below the tunnel that drops what it cannot
    // carry, a veth whose peer has a smaller MTU).
    p.dropped = true;
    p.detail = "0 sent: the kernel dropped every echo of this size on the way out";
  } else if (p.sent == 0) {
    // ping could not send at all (no route, a source not on this host).
    std::string text = r->err.empty() ? r->out : r->err;
    auto nl = text.find('\n');
    p.detail = nl == std::string::npos ? text : text.substr(0, nl);
    if (p.detail.empty()) p.detail = fmt::format("ping exited {}", r->exit_code);
  } else {
    p.detail = fmt::format("{} sent, {} received", p.sent, p.received);
  }
  return p;
}

struct Ping {
  std::size_t target;  ///< index into the targets
  std::uint32_t size;
  bool df;
};

// Runs `pings` side by side, kParallelProbes at a time.
std::vector<Probe> RunPings(const std::vector<TunnelProbeTarget>& targets,
                            const std::vector<Ping>& pings, const CaptureOptions& options) {
  std::vector<Probe> results(pings.size());
  std::atomic<std::size_t> next{0};
  auto worker = [&] {
    for (std::size_t i = next++; i < pings.size(); i = next++)
      results[i] = PingTunnel(targets[pings[i].target], pings[i].size, pings[i].df, options);
  };
  std::vector<std::thread> threads;
  std::size_t n = std::min(kParallelProbes, pings.size());
  for (std::size_t i = 1; i < n; ++i) {
    try {
      threads.emplace_back(worker);
    } catch (const std::system_error&) {
      break;  // fewer at a time, all the same
    }
  }
  worker();
  for (auto& t : threads) t.join();
  return results;
}

// The size a tunnel should carry whole: its interface's MTU (a VTI), else
// the MTU of the interface that holds the probe's source (the LAN whose
// hosts send through a policy-based tunnel), else 1500.
std::uint32_t FullSize(const Snapshot& s, const TunnelProbeTarget& t) {
  std::string ifname = t.dev;
  if (ifname.empty())
    for (const auto& a : s.addresses)
      if (a.address == t.source) ifname = a.ifname;
  for (const auto& i : s.interfaces)
    if (i.name == ifname && i.mtu >= 576) return i.mtu;
  return 1500;
}

}  // namespace

// The tunnels' echoes, then for IPsec the path-MTU ladder (ipsec.mtu): with
// the small echo a DF echo at the size the tunnel should carry goes out
// too; where the router itself refuses it ("message too long, mtu=N") the
// next round sends N; where it is lost while the small one is answered the
// next rounds send sizes between the two, to bracket the size the path
// really carries. About one second a round (less where every echo is
// answered), four rounds at most.
void CaptureTunnelProbes(Snapshot& snapshot, const std::vector<TunnelProbeTarget>& targets,
                         const CaptureOptions& options) {
  std::vector<Ping> pings;
  std::vector<PathMtuLadder> ladders(targets.size());
  std::vector<std::uint32_t> retried(targets.size(), 0);  // the router's MTU, once sent
  for (std::size_t i = 0; i < targets.size(); ++i) {
    pings.push_back({i, 0, false});
    if (!targets[i].child.empty()) pings.push_back({i, FullSize(snapshot, targets[i]), true});
  }
  for (int round = 0;; ++round) {
    auto results = RunPings(targets, pings, options);
    for (std::size_t k = 0; k < results.size(); ++k) ladders[pings[k].target].Add(results[k]);
    for (auto& p : results) snapshot.probes.push_back(std::move(p));
    if (round == kLadderRounds) break;
    pings.clear();
    std::size_t laddered = 0;
    for (std::size_t i = 0; i < targets.size(); ++i) {
      const PathMtuLadder& l = ladders[i];
      if (targets[i].child.empty() || !l.small_answered()) continue;
      if (l.router_mtu != 0 && retried[i] != l.router_mtu && l.router_mtu > l.answered &&
          (l.lost == 0 || l.router_mtu < l.lost)) {
        pings.push_back({i, l.router_mtu, true});  // the size the router allows
        retried[i] = l.router_mtu;
      } else if (l.lost > l.answered + 8 && laddered < kLadderTunnels) {
        ++laddered;
        const std::uint32_t step = (l.lost - l.answered) / (kLadderSizes + 1);
        for (std::uint32_t k = 1; k <= kLadderSizes && step > 0; ++k)
          pings.push_back({i, l.answered + k * step, true});
      }
    }
    if (pings.empty()) break;
  }
}

}  // namespace edgediag::plugin

// The only packets edgediag ever sends, both opt-in (--probe):
//  - dx: DF-set pings toward the Amazon peer; two echo requests per size,
//    one second each at most;
//  - vpn: three echo requests through each healthy-looking tunnel, from an
//    address inside its local selector (or the tunnel interface's), one
//    second per tunnel, the tunnels side by side (12 at a time).
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
      std::uint32_t overhead = addr->family == 6 ? 48 : 28;
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
constexpr std::size_t kParallelProbes = 12;  // capture_run tracks 16 helpers at once

// "3 packets transmitted, 0 received, ..." from ping's summary.
void CountEchoes(const std::string& text, std::uint32_t& sent, std::uint32_t& received) {
  auto at = text.find(" packets transmitted, ");
  if (at == std::string::npos) return;
  auto start = text.rfind('\n', at);
  start = start == std::string::npos ? 0 : start + 1;
  unsigned tx = 0, rx = 0;
  if (std::sscanf(text.c_str() + start, "%u packets transmitted, %u", &tx, &rx) == 2) {
    sent = tx;
    received = rx;
  }
}

Probe ProbeTunnel(const TunnelProbeTarget& t, const CaptureOptions& options) {
  Probe p{.target = t.target, .dev = t.dev, .size = 84, .tunnel = t.tunnel, .child = t.child,
          .source = t.source, .origin = t.origin};
  auto addr = ParseAddress(t.target);
  if (!addr) {
    p.detail = "not an address";
    return p;
  }
  if (addr->family == 6) p.size = 104;
  // -w 1: the whole probe ends after one second, answered or not.
  std::vector<std::string> argv{"ping", addr->family == 6 ? "-6" : "-4", "-n", "-q", "-c",
                                std::to_string(kTunnelEchoes), "-i", "0.2", "-W", "1", "-w", "1"};
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
  CountEchoes(r->out, p.sent, p.received);
  p.ok = p.received > 0;
  if (p.sent == 0) {
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

}  // namespace

void CaptureTunnelProbes(Snapshot& snapshot, const std::vector<TunnelProbeTarget>& targets,
                         const CaptureOptions& options) {
  std::vector<Probe> results(targets.size());
  std::atomic<std::size_t> next{0};
  auto worker = [&] {
    for (std::size_t i = next++; i < targets.size(); i = next++)
      results[i] = ProbeTunnel(targets[i], options);
  };
  std::vector<std::thread> threads;
  std::size_t n = std::min(kParallelProbes, targets.size());
  for (std::size_t i = 1; i < n; ++i) {
    try {
      threads.emplace_back(worker);
    } catch (const std::system_error&) {
      break;  // fewer at a time, all the same
    }
  }
  worker();
  for (auto& t : threads) t.join();
  for (auto& p : results) snapshot.probes.push_back(std::move(p));
}

}  // namespace edgediag::plugin

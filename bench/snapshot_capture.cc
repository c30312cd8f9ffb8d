// Bench driver for bench/snapshot-bench.sh: one snapshot of the kernel
// sources (rtnetlink, sock_diag, counters, ethtool, WireGuard, XFRM), as
// `edgediag` would take it, saved as JSON. The daemon sources (FRR, VICI,
// nftables) are left out: the comparison is with `ip` and `wg`.
//
//   snapshot_capture [OUT.json]
#include <chrono>
#include <cstdio>
#include <string>

#include "plugin/capture.h"
#include "plugin/snapshot_json.h"

int main(int argc, char** argv) {
  edgediag::plugin::CaptureOptions o;
  o.frr = o.vici = o.nftables = false;
  o.key_salt = "bench";
  // The wall clock, as the script's `date` reads it: in the lab VM (QEMU
  // TCG) steady_clock was seen running ~30 times too fast.
  using Clock = std::chrono::system_clock;
  auto ms = [](Clock::time_point a, Clock::time_point b) {
    return std::chrono::duration<double, std::milli>(b - a).count();
  };
  // Per-source times, to see where a slow snapshot spends it.
  auto t0 = Clock::now();
  edgediag::plugin::Snapshot s;
  edgediag::plugin::CaptureKernel(s, o);
  auto t1 = Clock::now();
  edgediag::plugin::CaptureWireguard(s, o);
  auto t2 = Clock::now();
  edgediag::plugin::CaptureXfrm(s, o);
  auto t3 = Clock::now();
  std::size_t peers = 0;
  for (const auto& w : s.wireguard) peers += w.peers.size();
  std::fprintf(stderr, "interfaces=%zu wireguard_peers=%zu", s.interfaces.size(), peers);
  for (const auto& [name, st] : s.sources)
    std::fprintf(stderr, " %s=%s", name.c_str(), edgediag::plugin::SourceStateName(st.state).c_str());
  std::fprintf(stderr, "\n");
  if (argc > 1) {
    auto r = edgediag::plugin::SaveSnapshot(s, argv[1]);
    if (!r) {
      std::fprintf(stderr, "snapshot_capture: %s\n", r.error().what.c_str());
      return 1;
    }
  }
  auto t4 = Clock::now();
  std::fprintf(stderr, "ms: kernel=%.1f wireguard=%.1f xfrm=%.1f save=%.1f\n", ms(t0, t1),
               ms(t1, t2), ms(t2, t3), ms(t3, t4));
  return 0;
}

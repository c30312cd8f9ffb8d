// dx --probe: DF-set pings toward the Amazon peer, the only packets edgediag
// ever sends. Two echo requests per size, one second each at most.
#include <fmt/format.h>

#include "plugin/capture.h"
#include "plugin/capture_run.h"
#include "plugin/dx_match.h"
#include "plugin/ip.h"

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

}  // namespace edgediag::plugin

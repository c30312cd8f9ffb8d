#include "plugin/capture.h"

#include <unistd.h>

#include <chrono>
#include <ctime>
#include <exception>
#include <system_error>
#include <thread>
#include <vector>

#include "base/key_print.h"

namespace edgediag::plugin {
namespace {

std::string Rfc3339(std::int64_t ms) {
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

void MergeSources(Snapshot& into, Snapshot& from) {
  for (auto& [name, st] : from.sources) into.sources[name] = std::move(st);
}

}  // namespace

Snapshot Capture(const CaptureOptions& options) {
  Snapshot s;
  s.taken_at_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
  s.taken_at = Rfc3339(s.taken_at_ms);
  char host[256] = {};
  if (gethostname(host, sizeof(host) - 1) == 0) s.hostname = host;

  // The daemons answer slowest (vtysh, charon, nft): ask them on their own
  // threads while the kernel is read, each into its own part. WireGuard
  // too: a hub's 10,000 peers take as long to dump as the route table.
  // What fails on a thread (out of memory) is that source's status, and a
  // thread that cannot be made runs its source here instead.
  Snapshot frr, vici, nft, wg;
  std::vector<std::thread> threads;
  struct Joiner {
    std::vector<std::thread>& threads;
    ~Joiner() {
      for (auto& t : threads)
        if (t.joinable()) t.join();
    }
  } joiner{threads};
  auto aside = [&](bool wanted, const char* source, Snapshot& part,
                   void (*capture)(Snapshot&, const CaptureOptions&)) {
    if (!wanted) return;
    auto run = [&part, &options, source, capture] {
      try {
        capture(part, options);
      } catch (const std::exception& e) {
        part.sources[source] = {SourceState::kUnavailable, std::string("failed: ") + e.what()};
      }
    };
    try {
      threads.emplace_back(run);
    } catch (const std::system_error&) {
      run();
    }
  };
  aside(options.frr, kSourceFrr, frr, CaptureFrr);
  aside(options.vici, kSourceVici, vici, CaptureIpsec);
  aside(options.nftables, kSourceNftables, nft, CaptureNftables);
  aside(options.wireguard, kSourceWireguard, wg, CaptureWireguard);

  if (options.kernel) CaptureKernel(s, options);
  if (options.xfrm) CaptureXfrm(s, options);
  // vtysh takes longest (bgpd builds its whole answer first): the caller's
  // work fits in that wait, on this core, without slowing bgpd on the other.
  if (options.alongside) options.alongside();

  for (auto& t : threads) t.join();
  s.bgp_neighbors = std::move(frr.bgp_neighbors);
  s.ipsec_connections = std::move(vici.ipsec_connections);
  s.ike_sas = std::move(vici.ike_sas);
  s.nat_rules = std::move(nft.nat_rules);
  s.wireguard = std::move(wg.wireguard);
  MergeSources(s, frr);
  MergeSources(s, vici);
  MergeSources(s, nft);
  MergeSources(s, wg);
  return s;
}

}  // namespace edgediag::plugin

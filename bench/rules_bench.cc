// The wg.* rules (and net.rp-filter.strict) over synthetic WireGuard hubs of
// 1k, 10k and 100k peers, each with a /32 tunnel address and a /24 behind
// it routed into wg0, plus a previous sample 30 s earlier. The rules must
// grow linearly: AllowedIPs overlap and route checks go through PrefixTrie,
// never peer against peer.
#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <map>
#include <memory>
#include <ostream>
#include <streambuf>

#include "op-mode/render.h"
#include "plugin/report.h"
#include "plugin/rules.h"
#include "plugin/ipsec_rules.h"
#include "plugin/vpn_common.h"
#include "plugin/wg_rules.h"

namespace {

using namespace edgediag::plugin;

constexpr std::int64_t kNowMs = 1795658400000;

Snapshot Hub(int peers, std::int64_t taken_at_ms, std::uint64_t bytes_offset) {
  Snapshot s;
  s.taken_at_ms = taken_at_ms;
  s.hostname = "hub";
  for (auto n : {kSourceKernel, kSourceCounters, kSourceWireguard})
    s.sources[n] = {SourceState::kOk, ""};
  s.interfaces.push_back({.name = "eth0",
                          .ifindex = 2,
                          .mtu = 1500,
                          .admin_up = true,
                          .carrier = true,
                          .operstate = "UP",
                          .rp_filter = 0});
  s.interfaces.push_back({.name = "wg0",
                          .ifindex = 5,
                          .kind = "wireguard",
                          .mtu = 1420,
                          .admin_up = true,
                          .carrier = true,
                          .rp_filter = 1});
  s.addresses.push_back(
      {.ifname = "eth0", .ifindex = 2, .address = "203.0.113.2", .prefixlen = 24});
  s.addresses.push_back({.ifname = "wg0", .ifindex = 5, .address = "172.16.0.1", .prefixlen = 12});
  s.routes.push_back({.dst = "0.0.0.0/0", .gateway = "203.0.113.1", .dev = "eth0"});
  s.routes.push_back({.dst = "203.0.113.0/24", .dev = "eth0"});
  s.routes.push_back({.dst = "172.16.0.0/12", .dev = "wg0"});
  s.counters.tcp_ext["IPReversePathFilter"] = 0;
  WgInterface w;
  w.name = "wg0";
  w.ifindex = 5;
  w.listen_port = 51820;
  w.peers.reserve(peers);
  s.routes.reserve(peers + 3);
  const std::int64_t now = kNowMs / 1000;
  for (int i = 0; i < peers; ++i) {
    unsigned host = 0xac100000u + 2 + static_cast<unsigned>(i);  // 172.16.0.2 + i
    std::string lan = fmt::format("{}.{}.{}.0/24", 10 + (i >> 16), (i >> 8) & 255, i & 255);
    s.routes.push_back({.dst = lan, .dev = "wg0", .protocol = "bgp"});
    w.peers.push_back(
        {.public_key = fmt::format("peer{:06d}Key{:0>32}=", i, i),
         .endpoint = fmt::format("198.{}.{}.{}:51820", 18 + (i >> 16), (i >> 8) & 255, i & 255),
         .allowed_ips = {fmt::format("{}.{}.{}.{}/32", host >> 24, (host >> 16) & 255,
                                     (host >> 8) & 255, host & 255),
                         lan},
         .last_handshake = now - 20 - i % 100,
         .rx_bytes = 100000 + bytes_offset + static_cast<unsigned>(i),
         .tx_bytes = 120000 + bytes_offset + static_cast<unsigned>(i),
         .persistent_keepalive = static_cast<std::uint16_t>(i % 2 ? 25 : 0)});
  }
  s.wireguard.push_back(std::move(w));
  return s;
}

struct Pair {
  Snapshot now, prev;
};

const Pair& Fixture(int peers) {
  static std::map<int, std::unique_ptr<Pair>> cache;
  auto& p = cache[peers];
  if (!p)
    p = std::make_unique<Pair>(Pair{Hub(peers, kNowMs, 50000), Hub(peers, kNowMs - 30000, 0)});
  return *p;
}

// Every rule of the wireguard and net families, as `edgediag vpn --wireguard` runs them.
void BM_WireguardRules(benchmark::State& state) {
  const Pair& f = Fixture(static_cast<int>(state.range(0)));
  Family families[] = {Family::kWireguard, Family::kNet};
  std::size_t findings = 0;
  for (auto _ : state) {
    Facts facts(f.now, families);
    auto out = RunRules(families, facts, &f.prev);
    findings = out.size();
    benchmark::DoNotOptimize(out);
  }
  state.SetComplexityN(state.range(0));
  state.counters["findings"] = static_cast<double>(findings);
  state.counters["peers/s"] = benchmark::Counter(static_cast<double>(state.range(0)),
                                                 benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_WireguardRules)
    ->RangeMultiplier(10)
    ->Range(1000, 100000)
    ->Unit(benchmark::kMillisecond)
    ->Complexity(benchmark::oN);

// The overlap check alone: a trie per interface, one root-to-leaf walk per prefix.
void BM_WgAllowedIpsOverlap(benchmark::State& state) {
  const Pair& f = Fixture(static_cast<int>(state.range(0)));
  Facts facts(f.now);
  for (auto _ : state) benchmark::DoNotOptimize(CheckWgAllowedIpsOverlap(facts, f.now, nullptr));
  state.SetComplexityN(state.range(0));
}
BENCHMARK(BM_WgAllowedIpsOverlap)
    ->RangeMultiplier(10)
    ->Range(1000, 100000)
    ->Unit(benchmark::kMillisecond)
    ->Complexity(benchmark::oN);

// The whole report (rules + subjects + ok findings + ranking). Shown to
// size BuildReport's own subject bookkeeping, which is outside the rules.
void BM_WireguardReport(benchmark::State& state) {
  const Pair& f = Fixture(static_cast<int>(state.range(0)));
  Family families[] = {Family::kWireguard, Family::kNet};
  for (auto _ : state) benchmark::DoNotOptimize(BuildReport("vpn", families, f.now, &f.prev));
  state.SetComplexityN(state.range(0));
}
BENCHMARK(BM_WireguardReport)
    ->Arg(1000)
    ->Arg(3000)
    ->Arg(10000)
    ->Unit(benchmark::kMillisecond)
    ->Complexity();

}  // namespace

namespace {

// Each rule alone over 100k peers: where the time goes.
void BM_WgRuleAlone(benchmark::State& state) {
  const Pair& f = Fixture(100000);
  const Rule& rule = WireguardRules()[static_cast<std::size_t>(state.range(0))];
  state.SetLabel(std::string(rule.id));
  Facts facts(f.now);
  for (auto _ : state) benchmark::DoNotOptimize(rule.check(facts, f.now, &f.prev));
}
BENCHMARK(BM_WgRuleAlone)->DenseRange(0, 10)->Unit(benchmark::kMillisecond);

}  // namespace

namespace {

// The renderers over the report of a healthy 10k-peer hub: the JSON
// document (~5 MB) and the text screen, written to a discarding stream.
class Discard : public std::streambuf {
 protected:
  std::streamsize xsputn(const char*, std::streamsize n) override { return n; }
  int overflow(int c) override { return c; }
};

void BM_RenderJson(benchmark::State& state) {
  const Pair& f = Fixture(static_cast<int>(state.range(0)));
  Family families[] = {Family::kWireguard, Family::kNet};
  Report report = BuildReport("vpn", families, f.now, &f.prev);
  Discard sink;
  std::ostream out(&sink);
  for (auto _ : state) edgediag::opmode::RenderJson(report, out);
}
BENCHMARK(BM_RenderJson)->Arg(10000)->Unit(benchmark::kMillisecond);

void BM_RenderText(benchmark::State& state) {
  const Pair& f = Fixture(static_cast<int>(state.range(0)));
  Family families[] = {Family::kWireguard, Family::kNet};
  Report report = BuildReport("vpn", families, f.now, &f.prev);
  for (auto _ : state)
    benchmark::DoNotOptimize(edgediag::opmode::RenderText(report, {}));
}
BENCHMARK(BM_RenderText)->Arg(10000)->Unit(benchmark::kMillisecond);

}  // namespace

// The wg.* rules (and net.rp-filter.strict) over synthetic WireGuard hubs of
// 1k, 10k and 100k peers, each with a /32 tunnel address and a /24 behind
// it routed into wg0, plus a previous sample 30 s earlier. The rules must
// grow linearly: AllowedIPs overlap and route checks go through PrefixTrie,
// never peer against peer.
#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <unistd.h>

#include <array>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <ostream>
#include <streambuf>
#include <vector>

#include "base/atomic_file.h"
#include "netlink/wireguard.h"
#include "op-mode/cli.h"
#include "op-mode/render.h"
#include "plugin/ip.h"
#include "plugin/report.h"
#include "plugin/rules.h"
#include "plugin/ipsec_rules.h"
#include "plugin/snapshot_json.h"
#include "plugin/vpn_common.h"
#include "plugin/wg_rules.h"

namespace {

using namespace edgediag::plugin;

constexpr std::int64_t kNowMs = 1795658400000;

// edgediag's own allocator settings (no trimming, no mmap per big block):
// without them a benchmark that frees its report each round measures the
// kernel's page faults as much as the code.
const bool kMallocTuned = [] {
  edgediag::opmode::TuneMallocForOneRun();
  return true;
}();

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
    findings = 0;
    for (const auto& each : out) findings += each.size();
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

// What bench/wg-bench.sh builds on a real kernel: a hub whose peers have an
// endpoint and have never shaken hands (road warriors offline), in one
// sample. Every peer gets a wg.peer.idle finding: the report's worst case.
const Snapshot& RoadWarriors(int peers) {
  static std::map<int, std::unique_ptr<Snapshot>> cache;
  auto& s = cache[peers];
  if (!s) {
    s = std::make_unique<Snapshot>(Hub(peers, kNowMs, 0));
    for (auto& p : s->wireguard[0].peers) {
      p.last_handshake = 0;
      p.rx_bytes = p.tx_bytes = 0;
      p.persistent_keepalive = 0;
    }
  }
  return *s;
}
void BM_WireguardReportRoadWarriors(benchmark::State& state) {
  const Snapshot& now = RoadWarriors(static_cast<int>(state.range(0)));
  Family families[] = {Family::kWireguard, Family::kNet};
  for (auto _ : state) benchmark::DoNotOptimize(BuildReport("vpn", families, now, nullptr));
}
BENCHMARK(BM_WireguardReportRoadWarriors)->Arg(10000)->Unit(benchmark::kMillisecond);

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

// The same over wg-bench's hub of 10,000 offline road warriors (no sample
// before): the rule that takes longest is the rules phase's critical path.
void BM_WgRuleAloneRoadWarriors(benchmark::State& state) {
  const Snapshot& now = RoadWarriors(10000);
  const Rule& rule = WireguardRules()[static_cast<std::size_t>(state.range(0))];
  state.SetLabel(std::string(rule.id));
  Facts facts(now);
  for (auto _ : state) benchmark::DoNotOptimize(rule.check(facts, now, nullptr));
}
BENCHMARK(BM_WgRuleAloneRoadWarriors)->DenseRange(0, 10)->Unit(benchmark::kMillisecond);

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

// Hand-written pieces against the library beside each (docs/architecture.md,
// "Written here, and why"): each stays only where the gain matters.
namespace {

using nlohmann::json;

// The JSON report through an nlohmann tree, as RenderJson wrote it before
// the direct writer: the tree, then dump().
json ReportTree(const Report& report) {
  json j;
  j["schema"] = edgediag::opmode::kReportSchema;
  j["command"] = report.command;
  j["taken_at"] = report.taken_at;
  json sources = json::object();
  for (const auto& [name, st] : report.sources) {
    json s{{"status", SourceStateName(st.state)}};
    if (!st.reason.empty()) s["reason"] = st.reason;
    sources[name] = s;
  }
  j["sources"] = sources;
  json subjects = json::array();
  for (const auto& sr : report.subjects) {
    json sj{{"kind", SubjectKindName(sr.subject.kind)},
            {"id", sr.subject.id},
            {"verdict", SeverityName(sr.verdict)}};
    if (!sr.subject.interface.empty()) sj["interface"] = sr.subject.interface;
    if (!sr.subject.peer.empty()) sj["peer"] = sr.subject.peer;
    json findings = json::array();
    for (const auto& f : sr.findings) {
      json ev = json::array();
      for (const auto& e : f.evidence)
        ev.push_back({{"what", e.what}, {"observed", e.observed}, {"expected", e.expected}});
      findings.push_back({{"id", f.id},
                          {"severity", SeverityName(f.severity)},
                          {"message", f.message},
                          {"evidence", ev},
                          {"remedy", f.remedy}});
    }
    sj["findings"] = findings;
    subjects.push_back(sj);
  }
  j["subjects"] = subjects;
  return j;
}

void BM_RenderJson_Nlohmann(benchmark::State& state) {
  const Pair& f = Fixture(static_cast<int>(state.range(0)));
  Family families[] = {Family::kWireguard, Family::kNet};
  Report report = BuildReport("vpn", families, f.now, &f.prev);
  for (auto _ : state)
    benchmark::DoNotOptimize(
        ReportTree(report).dump(1, ' ', false, json::error_handler_t::replace));
}
BENCHMARK(BM_RenderJson_Nlohmann)->Arg(10000)->Unit(benchmark::kMillisecond);

// The snapshot file (10k peers) on tmpfs: the direct writer (SaveSnapshot)
// against nlohmann's tree and dump through the same atomic write.
std::string ShmPath(const char* name) {
  return std::string("/dev/shm/edgediag-bench-") + name + "-" + std::to_string(getpid());
}
void BM_SaveSnapshot_JsonWriter(benchmark::State& state) {
  const Pair& f = Fixture(static_cast<int>(state.range(0)));
  const std::string path = ShmPath("writer");
  for (auto _ : state) benchmark::DoNotOptimize(SaveSnapshot(f.now, path).ok());
  unlink(path.c_str());
}
BENCHMARK(BM_SaveSnapshot_JsonWriter)->Arg(10000)->Unit(benchmark::kMillisecond);
void BM_SaveSnapshot_Nlohmann(benchmark::State& state) {
  const Pair& f = Fixture(static_cast<int>(state.range(0)));
  const std::string path = ShmPath("nlohmann");
  for (auto _ : state) {
    std::string text = SnapshotToJson(f.now).dump(-1, ' ', false, json::error_handler_t::replace);
    benchmark::DoNotOptimize(edgediag::WriteFileAtomically(path, text + "\n", 0600).ok());
  }
  unlink(path.c_str());
}
BENCHMARK(BM_SaveSnapshot_Nlohmann)->Arg(10000)->Unit(benchmark::kMillisecond);

// The pieces that went to a library, kept measured (docs/architecture.md
// has the figures of the hand-written code they replaced).
// IPv4 addresses as the rules parse them (routes, allowed IPs, endpoints).
void BM_ParseAddressIpv4(benchmark::State& state) {
  std::vector<std::string> addrs;
  for (int i = 0; i < 1024; ++i)
    addrs.push_back(fmt::format("172.{}.{}.{}", 16 + i % 16, i % 251, i % 256));
  for (auto _ : state)
    for (const auto& a : addrs) benchmark::DoNotOptimize(ParseAddress(a));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * addrs.size()));
}
BENCHMARK(BM_ParseAddressIpv4);

// Byte counts as the WireGuard findings print them, bytes to tens of GiB.
void BM_FormatBytes(benchmark::State& state) {
  std::vector<std::uint64_t> counts;
  std::uint64_t x = 1;
  for (int i = 0; i < 1024; ++i) {
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    counts.push_back(x >> (24 + i % 40));
  }
  for (auto _ : state)
    for (auto n : counts) benchmark::DoNotOptimize(FormatBytes(n));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * counts.size()));
}
BENCHMARK(BM_FormatBytes);

// A WireGuard public key (32 bytes) to base64, once per peer of a dump.
void BM_Base64(benchmark::State& state) {
  std::array<std::byte, 32> key{};
  for (std::size_t i = 0; i < key.size(); ++i) key[i] = static_cast<std::byte>(i * 37);
  for (auto _ : state) benchmark::DoNotOptimize(edgediag::netlink::Base64(key));
}
BENCHMARK(BM_Base64);

}  // namespace

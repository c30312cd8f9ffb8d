// --watch's change lines: what moved between two cycles, one line each.
#include "op-mode/watch.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace edgediag::opmode {
namespace {

using plugin::Severity;

plugin::SubjectReport Subject(const std::string& id, Severity verdict,
                              std::vector<std::pair<std::string, Severity>> findings) {
  plugin::SubjectReport sr;
  sr.subject = {.kind = plugin::SubjectKind::kDxVif, .id = id};
  sr.verdict = verdict;
  for (auto& [fid, sev] : findings) sr.findings.push_back({.id = fid, .severity = sev});
  return sr;
}

plugin::Snapshot Dx(const std::string& bgp_state, const std::string& nud) {
  plugin::Snapshot s;
  s.bgp_neighbors.push_back({.address = "169.254.10.1", .bgpState = bgp_state});
  s.neighbours.push_back({.ifname = "eth1.101", .address = "169.254.10.1", .state = nud});
  s.neighbours.push_back({.ifname = "eth0", .address = "192.0.2.9", .state = "FAILED"});
  s.sources["frr"] = {plugin::SourceState::kOk, ""};
  return s;
}

plugin::Report Report(std::vector<plugin::SubjectReport> subjects, std::uint64_t rx) {
  plugin::Report r;
  r.subjects = std::move(subjects);
  plugin::PeeringDetail p;
  p.iface.name = "eth1.101";
  p.iface.rx_bytes = rx;
  p.iface.tx_bytes = 100;
  r.peerings.push_back(p);
  return r;
}

// The turn-up: wrong VLAN fixed, ARP resolves, BGP comes up, dx.ok.
TEST(Watch, AFixedFaultShowsEveryTransition) {
  auto r1 = Report({Subject("dxvif-a", Severity::kCritical,
                            {{"dx.vlan.mismatch", Severity::kCritical}, {"dx.bgp.state", Severity::kCritical}})},
                   1000);
  auto s1 = Dx("Active", "INCOMPLETE");
  auto w1 = MakeWatchState(r1, s1, nullptr, 0);
  auto r2 = Report({Subject("dxvif-a", Severity::kOk, {{"dx.ok", Severity::kOk}})}, 1000);
  auto s2 = Dx("Established", "REACHABLE");
  auto w2 = MakeWatchState(r2, s2, &w1, 2000);
  EXPECT_EQ(WatchChanges(w1, w2),
            (std::vector<std::string>{
                "dx-vif dxvif-a: critical -> ok (dx.ok)",
                "dx-vif dxvif-a: dx.bgp.state cleared (was critical)",
                "dx-vif dxvif-a: dx.vlan.mismatch cleared (was critical)",
                "BGP peer 169.254.10.1 (vrf default): Active -> Established",
                "ARP for 169.254.10.1 on eth1.101: resolved (INCOMPLETE -> REACHABLE)",
            }));
}

// Nothing moved: no line. ARP churn within "resolved" is not a change, and
// neighbours that are not BGP or VIF peers are not followed.
TEST(Watch, NoChangeNoLine) {
  auto r = Report({Subject("dxvif-a", Severity::kOk, {{"dx.ok", Severity::kOk}})}, 5);
  auto w1 = MakeWatchState(r, Dx("Established", "REACHABLE"), nullptr, 0);
  auto w2 = MakeWatchState(r, Dx("Established", "STALE"), &w1, 2000);
  EXPECT_TRUE(WatchChanges(w1, w2).empty());
  EXPECT_EQ(w2.arp.size(), 1u);
}

// Counters: a line when one starts, or stops for the quiet time (an idle
// link's keepalives move it now and then: gaps shorter than that are no
// stop); none while it keeps on, none for the baseline of the first cycle.
TEST(Watch, CountersStartingAndStopping) {
  auto s = Dx("Established", "REACHABLE");
  auto subj = std::vector<plugin::SubjectReport>{Subject("dxvif-a", Severity::kOk, {{"dx.ok", Severity::kOk}})};
  constexpr std::int64_t kQuiet = 10'000;
  auto w1 = MakeWatchState(Report(subj, 100), s, nullptr, 0, kQuiet);
  auto w2 = MakeWatchState(Report(subj, 100), s, &w1, 2'000, kQuiet);   // flat, not yet known
  auto w3 = MakeWatchState(Report(subj, 100), s, &w2, 10'000, kQuiet);  // quiet: known stopped
  auto w4 = MakeWatchState(Report(subj, 900), s, &w3, 12'000, kQuiet);  // moving
  auto w5 = MakeWatchState(Report(subj, 900), s, &w4, 14'000, kQuiet);  // a gap: still moving
  auto w6 = MakeWatchState(Report(subj, 950), s, &w5, 16'000, kQuiet);  // moving
  auto w7 = MakeWatchState(Report(subj, 950), s, &w6, 26'000, kQuiet);  // quiet again: stopped
  EXPECT_TRUE(WatchChanges(w1, w2).empty());
  EXPECT_TRUE(WatchChanges(w2, w3).empty());
  EXPECT_EQ(WatchChanges(w3, w4), std::vector<std::string>{"eth1.101: receive counter started"});
  EXPECT_TRUE(WatchChanges(w4, w5).empty());
  EXPECT_TRUE(WatchChanges(w5, w6).empty());
  EXPECT_EQ(WatchChanges(w6, w7), std::vector<std::string>{"eth1.101: receive counter stopped"});
}

// A counter that appears later (a new interface or SA) starts with a line.
TEST(Watch, ANewCounterThatMovesStarts) {
  auto s = Dx("Established", "REACHABLE");
  auto subj = std::vector<plugin::SubjectReport>{Subject("dxvif-a", Severity::kOk, {{"dx.ok", Severity::kOk}})};
  plugin::Report none;
  none.subjects = subj;
  auto w1 = MakeWatchState(none, s, nullptr, 0);
  auto w2 = MakeWatchState(Report(subj, 0), s, &w1, 2'000);
  auto w3 = MakeWatchState(Report(subj, 300), s, &w2, 4'000);
  EXPECT_TRUE(WatchChanges(w1, w2).empty());
  EXPECT_EQ(WatchChanges(w2, w3), std::vector<std::string>{"eth1.101: receive counter started"});
}

// A finding appearing, a subject appearing and going, a source failing.
TEST(Watch, FindingsSubjectsAndSources) {
  auto r1 = Report({Subject("dxvif-a", Severity::kOk, {{"dx.ok", Severity::kOk}}),
                    Subject("dxvif-b", Severity::kOk, {{"dx.ok", Severity::kOk}})},
                   1);
  auto s1 = Dx("Established", "REACHABLE");
  auto w1 = MakeWatchState(r1, s1, nullptr, 0);
  auto r2 = Report({Subject("dxvif-a", Severity::kWarning, {{"dx.mtu.mismatch", Severity::kWarning}}),
                    Subject("dxvif-c", Severity::kOk, {{"dx.ok", Severity::kOk}})},
                   1);
  auto s2 = s1;
  s2.sources["frr"] = {plugin::SourceState::kUnavailable, "vtysh timed out"};
  auto w2 = MakeWatchState(r2, s2, &w1, 2000);
  EXPECT_EQ(WatchChanges(w1, w2),
            (std::vector<std::string>{
                "dx-vif dxvif-a: ok -> warning (dx.mtu.mismatch)",
                "dx-vif dxvif-a: dx.mtu.mismatch appeared (warning)",
                "dx-vif dxvif-c: appeared, ok (dx.ok)",
                "dx-vif dxvif-b: gone (was ok)",
                "source frr: ok -> unavailable (vtysh timed out)",
            }));
}

}  // namespace
}  // namespace edgediag::opmode

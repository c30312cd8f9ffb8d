// `dx --watch` / `vpn --watch`: what changed between two cycles, one line
// each. The first cycle prints the full report; every later one only its
// changes (findings appearing or clearing, BGP states, ARP/ND resolving,
// counters starting or stopping, sources coming and going).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "op-mode/check.h"
#include "plugin/report.h"
#include "plugin/snapshot.h"

namespace edgediag::opmode {

/// What one watch cycle saw, reduced to what is compared with the next.
struct WatchState {
  std::vector<SubjectState> subjects;                    ///< verdicts and findings
  std::map<std::string, std::string> sources;            ///< name -> "ok", "unavailable (why)"
  std::map<std::string, std::string> bgp;                ///< "BGP peer A (vrf V)" -> state
  std::map<std::string, std::string> arp;                ///< "ARP/ND for A on IF" -> NUD state
  /// One counter: "IF: receive", "wg0 peer NAME: transmit", "IPsec CONN/CHILD: inbound".
  struct Counter {
    std::uint64_t value = 0;
    std::int64_t since_ms = 0;    ///< when it last moved (or was first seen)
    std::optional<bool> moving;  ///< unknown until it moves or stays quiet long enough
  };
  std::map<std::string, Counter> counters;
};

/// A counter is "stopped" after this long without a change. An idle but
/// working link still moves: BGP keepalives (AWS: 30 s), WireGuard
/// persistent keepalives (25 s), IKE liveness checks. Shorter windows would
/// report every idle gap between keepalives.
inline constexpr std::int64_t kCounterQuietMs = 40'000;

/// The state of a cycle taken at `now_ms` (wall clock); `previous` (the
/// last cycle's) gives the counters' movement: one moves when it changes,
/// and stops when it has not changed for `quiet_ms`. ARP/ND is followed only
/// for BGP neighbours and VIF Amazon addresses: the rest of the neighbour
/// table churns without meaning.
WatchState MakeWatchState(const plugin::Report& report, const plugin::Snapshot& now,
                          const WatchState* previous, std::int64_t now_ms,
                          std::int64_t quiet_ms = kCounterQuietMs);

/// The changes from `before` to `now`, one line each (no timestamp), most
/// important first: findings, then BGP, ARP/ND, counters, sources.
std::vector<std::string> WatchChanges(const WatchState& before, const WatchState& now);

}  // namespace edgediag::opmode

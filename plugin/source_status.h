// Whether each source of a snapshot could be read: its state, the reason
// when not, and what its decoder had to leave out when it could.
#pragma once

#include <string>
#include <vector>

#include "base/result.h"

namespace edgediag::plugin {

/// Whether a source could be read, and if not, why.
enum class SourceState { kOk, kUnavailable, kPermissionDenied, kNotCollected };

struct SourceStatus {
  SourceState state = SourceState::kNotCollected;
  std::string reason;  ///< one line, for people; empty when ok
  /// Malformed attributes or fields the decoder skipped, one line each
  /// (the source is still ok: the rest was read).
  std::vector<std::string> warnings;
  bool operator==(const SourceStatus&) const = default;
};

// Names of the sources, used as keys of Snapshot::sources and in the JSON.
inline constexpr char kSourceKernel[] = "kernel";        // rtnetlink: links, netconf
// The other rtnetlink dumps, each with its own status: one that fails
// leaves the checks that do not need it running.
inline constexpr char kSourceAddresses[] = "addresses";
inline constexpr char kSourceNeighbours[] = "neighbours";  // ARP/ND (dx only)
inline constexpr char kSourceRoutes[] = "routes";
inline constexpr char kSourceSockets[] = "sockets";      // sock_diag
inline constexpr char kSourceMd5[] = "md5";              // INET_DIAG_MD5SIG
inline constexpr char kSourceCounters[] = "counters";    // /proc/net/*
inline constexpr char kSourceWireguard[] = "wireguard";  // genetlink
inline constexpr char kSourceXfrm[] = "xfrm";
inline constexpr char kSourceEthtool[] = "ethtool";
inline constexpr char kSourceFrr[] = "frr";
inline constexpr char kSourceVici[] = "vici";
inline constexpr char kSourceViciEvents[] = "vici-events";  // charon's events during --sample
inline constexpr char kSourceXfrmStat[] = "xfrm-stat";      // /proc/net/xfrm_stat
inline constexpr char kSourceNftables[] = "nftables";
inline constexpr char kSourceVif[] = "vif";

/// A source that could not be read: permission denied, or unavailable for
/// any other error. `reason` replaces the error's text when given.
SourceStatus StatusFromError(const Error& e, std::string reason = {});

/// "ok", "unavailable", "permission-denied", "not-collected": as the
/// snapshot's JSON spells them.
std::string SourceStateName(SourceState state);

}  // namespace edgediag::plugin

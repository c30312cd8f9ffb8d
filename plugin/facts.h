// The facts the rules share, derived once per snapshot after capture and
// before the rules: the DX peerings (VIF <-> interface <-> BGP neighbour <->
// sockets <-> keys), the route index, the WireGuard and IPsec lookups, and
// the NAT evaluation. Rules are pure functions of (Facts, Snapshot,
// previous Snapshot); nothing here is global or per thread.
#pragma once

#include <mutex>
#include <optional>
#include <span>
#include <vector>

#include "plugin/dx_match.h"
#include "plugin/finding.h"
#include "plugin/ipsec_model.h"
#include "plugin/nat_eval.h"
#include "plugin/prefix_trie.h"
#include "plugin/snapshot.h"
#include "plugin/wg_model.h"

namespace edgediag::plugin {

class Facts {
 public:
  /// The facts the rules of `families` need; every family's when empty.
  /// `s` must outlive the Facts and not change meanwhile.
  explicit Facts(const Snapshot& s, std::span<const Family> families = {});
  Facts(const Facts&) = delete;
  Facts& operator=(const Facts&) = delete;

  const Snapshot& snapshot() const { return s_; }
  /// Whether the rules of `f` run over these facts (all when none were named).
  bool Wants(Family f) const;
  /// Every DX peering to check (dx_match.h); empty unless dx was asked for.
  const std::vector<DxPeering>& dx() const { return dx_; }
  /// Route lookups over every table; its tries are built on first use and
  /// may be shared by rules running on several threads.
  const RouteIndex& routes() const { return routes_; }
  /// WireGuard interfaces and peers by name and key (built on first use:
  /// a hub's 100,000 peers are indexed beside the rules, not before them).
  const WireguardLookup& wireguard() const;
  /// INSTALLED CHILD SAs of established IKE SAs, with their tunnel.
  const std::vector<ActiveChild>& ipsec_children() const { return ipsec_children_; }
  /// Source NAT that catches a policy-based CHILD SA's traffic.
  const std::vector<NatFault>& nat_faults() const { return nat_faults_; }

 private:
  const Snapshot& s_;
  std::vector<Family> families_;
  std::vector<DxPeering> dx_;
  RouteIndex routes_;
  mutable std::once_flag wireguard_once_;
  mutable std::optional<WireguardLookup> wireguard_;
  std::vector<ActiveChild> ipsec_children_;
  std::vector<NatFault> nat_faults_;
};

}  // namespace edgediag::plugin

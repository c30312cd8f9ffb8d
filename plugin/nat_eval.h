// Source NAT against the IPsec policy: nftables' postrouting chains walked
// the way the kernel walks them for one tunnel's traffic. A masquerade that
// catches traffic to a remote selector before the policy lookup sends it
// out unencrypted (ipsec.nat.snat-before-policy).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "plugin/ip.h"
#include "plugin/ipsec_model.h"
#include "plugin/prefix_trie.h"
#include "plugin/snapshot.h"

namespace edgediag::plugin {

/// A source-NAT rule that catches a policy-based CHILD SA's traffic.
struct NatFault {
  const ActiveChild* child;
  const NatRule* rule;
  Prefix local, remote;  ///< the selector pair it catches
  std::string oif;       ///< the egress toward the remote selector, when routed
};

/// For each policy-based INSTALLED CHILD SA and each pair of its selectors,
/// the first source-NAT rule that catches the traffic; each rule once per
/// connection. Route-based tunnels match policies on the interface id, so
/// source NAT does not take their traffic out of the policy.
std::vector<NatFault> EvaluateNat(const Snapshot& s, const RouteIndex& routes,
                                  const std::vector<ActiveChild>& children);

/// VyOS comments its NAT rules "SRC-NAT-<number>".
std::optional<int> VyosRuleNumber(const NatRule& r);
/// A free VyOS rule number below `m`, so that the exclusion is evaluated first.
int ExclusionNumber(const Snapshot& s, int m);
/// The rule as nft would print it.
std::string RuleText(const NatRule& r);

}  // namespace edgediag::plugin

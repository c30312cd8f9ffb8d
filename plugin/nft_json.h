// `nft -j list ruleset` -> the source-NAT rules the IPsec checks need. Pure:
// JSON text in, NatRules out; tested on recorded nft 1.0.6 output.
#pragma once

#include <string_view>
#include <vector>

#include "base/result.h"
#include "plugin/snapshot.h"

namespace edgediag::plugin {

/// The rules of every base chain of type nat on hook postrouting, chains in
/// the order the kernel runs them (priority, then listing order), rules in
/// chain order. A rule that jumps or goes to a regular chain of its table is
/// followed by that chain's rules (their `chain` is the target's name, hook
/// and priority the base chain's). Per rule:
///  - verdict: accept, return, drop, masquerade, snat, dnat, redirect, jump,
///    goto, reject, or "" (no verdict: counter/log only);
///  - saddr/daddr: prefixes ("10.1.0.0/16"), addresses, ranges ("a-b") or set
///    elements of `ip`/`ip6 saddr|daddr` matches; *_negated for `!=`;
///  - oifname: `eth0`; `!= eth0` when negated; `{ wan, wan2 }` for a set;
///  - ipsec: "exists"/"missing" for `rt ipsec`, `meta ipsec`/`meta secpath`
///    matches; "exists" for `ipsec in|out ...` (matching an SA implies one);
///  - text: the rule in nft syntax (counters without their values).
/// Unknown expressions are kept in `text` only. Errors: not JSON, or not an
/// {"nftables": [...]} document.
Result<std::vector<NatRule>> ParseNftRuleset(std::string_view json);

}  // namespace edgediag::plugin

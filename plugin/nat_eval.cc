// Source NAT against the IPsec policy: walks nftables' postrouting chains
// the way the kernel does for one tunnel's traffic
// (ipsec.nat.snat-before-policy).
#include "plugin/nat_eval.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <map>
#include <set>
#include <string_view>

namespace edgediag::plugin {
namespace {

bool FamilyMatches(const NatRule& r, int family) {
  if (r.family == "ip") return family == 4;
  if (r.family == "ip6") return family == 6;
  return true;  // inet, or unknown
}

bool OifMatches(const std::string& pattern, const std::string& oif) {
  if (pattern.empty() || oif.empty()) return true;  // unknown egress: assume it applies
  if (pattern.back() == '*') return oif.rfind(pattern.substr(0, pattern.size() - 1), 0) == 0;
  return pattern == oif;
}

// How an address match's prefixes relate to `x`: one of them contains it,
// or at least overlaps it.
struct SetRelation {
  bool contains = false, overlaps = false;
};

SetRelation Relate(const std::vector<std::string>& set, const Prefix& x) {
  SetRelation r;
  for (const auto& t : set) {
    auto p = ParsePrefix(t);
    if (!p || p->family != x.family) continue;
    if (p->Contains(x))
      r.contains = r.overlaps = true;
    else if (x.Contains(*p))
      r.overlaps = true;
  }
  return r;
}

// Does an address match (set, negated) catch some of `x`, or all of it?
bool CatchesSome(const std::vector<std::string>& set, bool negated, const Prefix& x) {
  if (set.empty()) return true;
  SetRelation r = Relate(set, x);
  return negated ? !r.contains : r.overlaps;
}

bool CoversAll(const std::vector<std::string>& set, bool negated, const Prefix& x) {
  if (set.empty()) return true;
  SetRelation r = Relate(set, x);
  return negated ? !r.overlaps : r.contains;
}

bool IsSnat(const NatRule& r) { return r.verdict == "masquerade" || r.verdict == "snat"; }
bool IsExemption(const NatRule& r) { return r.verdict == "accept" || r.verdict == "return"; }

// Walks each postrouting chain in order for traffic local -> remote leaving
// through `oif`. In the nat hook an accept ends only its own chain: a later
// base chain still runs (nf_nat_inet_fn), so an exemption counts only in the
// chain of the SNAT rule it must precede.
std::optional<NatFault> FirstNatFault(const Snapshot& s, const Prefix& local, const Prefix& remote,
                                      const std::string& oif) {
  std::vector<std::string> chains;
  std::map<std::string, std::vector<const NatRule*>> rules;
  for (const auto& r : s.nat_rules) {
    std::string hook = r.hook;
    std::transform(hook.begin(), hook.end(), hook.begin(), ::tolower);
    if (hook != "postrouting") continue;
    std::string key = r.family + " " + r.table + " " + r.chain;
    if (!rules.count(key)) chains.push_back(key);
    rules[key].push_back(&r);
  }
  for (const auto& key : chains) {
    for (const NatRule* r : rules[key]) {
      if (!FamilyMatches(*r, remote.family) || !OifMatches(r->oifname, oif)) continue;
      if (IsExemption(*r)) {
        if (r->ipsec == "missing") continue;
        if (CoversAll(r->saddr, r->saddr_negated, local) &&
            CoversAll(r->daddr, r->daddr_negated, remote))
          break;  // exempted in this chain
        continue;
      }
      if (!IsSnat(*r) || r->ipsec == "missing") continue;
      if (CatchesSome(r->saddr, r->saddr_negated, local) &&
          CatchesSome(r->daddr, r->daddr_negated, remote))
        return NatFault{nullptr, r, local, remote, oif};
    }
  }
  return std::nullopt;
}

}  // namespace

std::vector<NatFault> EvaluateNat(const Snapshot& s, const RouteIndex& routes,
                                  const std::vector<ActiveChild>& children) {
  std::vector<NatFault> out;
  if (s.nat_rules.empty()) return out;
  std::set<std::pair<std::string, const NatRule*>> reported;
  for (const auto& a : children) {
    if (a.tunnel.route_based) continue;
    for (const auto& local : Selectors(a.child->local_ts)) {
      for (const auto& remote : Selectors(a.child->remote_ts)) {
        if (local.family != remote.family) continue;
        const Route* r = routes.Best(remote);
        auto fault = FirstNatFault(s, local, remote, r ? r->dev : "");
        if (!fault || !reported.insert({a.ike->name, fault->rule}).second) continue;
        fault->child = &a;
        out.push_back(std::move(*fault));
      }
    }
  }
  return out;
}

std::optional<int> VyosRuleNumber(const NatRule& r) {
  // VyOS numbers source-NAT rules 1 to 999999: any other number in a
  // comment is not one of its rules (and must not overflow an int).
  constexpr std::string_view kTag = "SRC-NAT-";
  constexpr int kMaxRule = 999999;
  for (auto at = r.text.find(kTag); at != std::string::npos; at = r.text.find(kTag, at + 1)) {
    const char* first = r.text.data() + at + kTag.size();
    const char* last = r.text.data() + r.text.size();
    int n = 0;
    auto [end, ec] = std::from_chars(first, last, n);
    if (ec == std::errc() && end != first && n >= 1 && n <= kMaxRule) return n;
  }
  return std::nullopt;
}

// A free VyOS rule number below `m`, so that the exclusion is evaluated first.
int ExclusionNumber(const Snapshot& s, int m) {
  std::set<int> used;
  for (const auto& r : s.nat_rules)
    if (auto n = VyosRuleNumber(r)) used.insert(*n);
  for (int n = m - 1; n >= 1; --n)
    if (!used.count(n)) return n;
  return std::max(1, m - 1);
}

std::string RuleText(const NatRule& r) {
  if (!r.text.empty()) return r.text;
  std::string t;
  if (!r.oifname.empty()) t += fmt::format("oifname \"{}\" ", r.oifname);
  const char* ip = r.family == "ip6" ? "ip6" : "ip";
  auto set = [](const std::vector<std::string>& v) {
    return v.size() == 1 ? v[0] : fmt::format("{{ {} }}", fmt::join(v, ", "));
  };
  if (!r.saddr.empty())
    t += fmt::format("{} saddr {}{} ", ip, r.saddr_negated ? "!= " : "", set(r.saddr));
  if (!r.daddr.empty())
    t += fmt::format("{} daddr {}{} ", ip, r.daddr_negated ? "!= " : "", set(r.daddr));
  return t + r.verdict;
}

}  // namespace edgediag::plugin

// The ipsec.* rules on what changes over time and what was negotiated away:
// IKE SAs torn down and re-established during the --sample window (charon's
// events), and CHILD SAs installed with narrower traffic selectors than
// configured.
#include <fmt/format.h>

#include <algorithm>
#include <deque>
#include <map>
#include <set>

#include "plugin/facts.h"
#include "plugin/ipsec_model.h"
#include "plugin/ipsec_rules.h"
#include "plugin/vpn_common.h"

namespace edgediag::plugin {
namespace {

// "Re-established three times in 10 s" (issue 16): fewer is a reconnect,
// which rekey-safe monitoring must not call a fault.
constexpr int kFlapCount = 3;
constexpr std::int64_t kFlapWindowMs = 10'000;

// `p` minus every prefix of `covered`, as the largest prefixes left over;
// at most `limit` of them (the rest is counted in `more`).
void Uncovered(const Prefix& p, const std::vector<Prefix>& covered, std::vector<Prefix>& out,
               std::size_t limit, std::size_t& more) {
  bool overlaps = false;
  for (const auto& c : covered) {
    if (c.family != p.family) continue;
    if (c.len <= p.len && c.Contains(p)) return;  // all of p is covered
    if (c.len > p.len && p.Contains(c)) overlaps = true;
  }
  if (!overlaps || p.len >= p.MaxLen()) {
    if (out.size() < limit)
      out.push_back(p);
    else
      ++more;
    return;
  }
  // Split in halves: covered parts fall away, the rest is named whole.
  Prefix lo = p;
  lo.len = p.len + 1;
  Prefix hi = lo;
  hi.bytes[p.len / 8] |= static_cast<std::uint8_t>(0x80 >> (p.len % 8));
  Uncovered(lo, covered, out, limit, more);
  Uncovered(hi, covered, out, limit, more);
}

std::string PrefixList(const std::vector<Prefix>& v, std::size_t more) {
  std::vector<std::string> t;
  for (const auto& p : v) t.push_back(p.ToString());
  std::string s = Join(t);
  if (more > 0) s += fmt::format(" and {} more", more);
  return s;
}

}  // namespace

std::vector<Finding> CheckIpsecIkeFlapping(const Facts&, const Snapshot& s, const Snapshot*) {
  if (s.ipsec_events.empty()) return {};
  // Per connection, the times an IKE SA came up (ike-updown up=yes). A
  // rekey is ike-rekey and does not count; a reauthentication is one up.
  std::map<std::string, std::vector<const IpsecEvent*>> ups, downs;
  for (const auto& e : s.ipsec_events) {
    if (e.event != "ike-updown") continue;
    (e.up ? ups : downs)[e.ike].push_back(&e);
  }
  std::vector<Finding> out;
  for (const auto& [name, list] : ups) {
    // The densest 10-second stretch.
    std::size_t best = 0, best_start = 0;
    for (std::size_t i = 0, j = 0; j < list.size(); ++j) {
      while (list[j]->at_ms - list[i]->at_ms > kFlapWindowMs) ++i;
      if (j - i + 1 > best) best = j - i + 1, best_start = i;
    }
    if (best < static_cast<std::size_t>(kFlapCount)) continue;
    std::int64_t span = list[best_start + best - 1]->at_ms - list[best_start]->at_ms;
    std::set<std::uint32_t> ids;
    for (const IpsecEvent* e : list) ids.insert(e->ike_uniqueid);
    std::string remote = list.back()->remote_host;
    std::size_t down_count = downs.count(name) ? downs.at(name).size() : 0;
    Finding f{.id = "ipsec.ike.flapping",
              .severity = Severity::kWarning,
              .subject = ConnectionSubject(s, name),
              .weight = 68};
    f.message = fmt::format(
        "the IKE SA with {} was established {} times in {:.1f} s and torn down {} times during "
        "the sample: it does not stay up (DPD failing, or the peer deleting it)",
        remote.empty() ? "the peer" : remote, best, static_cast<double>(span) / 1000, down_count);
    f.evidence.push_back({fmt::format("ike-updown events in {} s", kFlapWindowMs / 1000),
                          fmt::format("{} up, {} down in the whole window", list.size(),
                                      down_count),
                          fmt::format("fewer than {} up", kFlapCount)});
    std::vector<std::string> id_text;
    for (auto id : ids) id_text.push_back(std::to_string(id));
    f.evidence.push_back({"IKE SA uniqueids seen", Join(id_text), "one, kept across rekeys"});
    // While flapping, the one-way and missing-child findings are its
    // consequences: the SA is gone too often to carry anything.
    bool up_now = false;
    for (const IkeSa* ike : IkesOf(s, name)) up_now = up_now || IkeUp(*ike);
    if (!up_now) {
      f.severity = Severity::kCritical;
      f.weight = 82;
    }
    f.remedy = fmt::format(
        "Read why each SA ends: `journalctl -u strongswan -n 200 | grep -Ei "
        "'dead peer|DELETE|retransmit|closing'`. Retransmits then 'giving up' mean DPD fails "
        "(UDP 500/4500 or ESP lost one way, a NAT mapping that expires: lower dpd_delay, add "
        "NAT keepalives); DELETE received means the peer closes it (its lifetimes, `unique` "
        "policy, or a second connection for the same peer replacing this one). VyOS `show vpn "
        "ipsec sa` twice; Linux `swanctl --list-sas --ike {}` and watch the uniqueid",
        name);
    out.push_back(std::move(f));
  }
  return out;
}

std::vector<Finding> CheckIpsecTsNarrowed(const Facts&, const Snapshot& s, const Snapshot*) {
  if (!ViciOk(s)) return {};
  constexpr std::size_t kList = 8;
  std::vector<Finding> out;
  for (const auto& conn : s.ipsec_connections) {
    std::vector<const IkeSa*> up;
    for (const IkeSa* ike : IkesOf(s, conn.name))
      if (IkeUp(*ike)) up.push_back(ike);
    if (up.empty()) continue;
    for (const auto& cc : conn.children) {
      if (IsShunt(cc)) continue;
      std::vector<const ChildSa*> present;
      for (const IkeSa* ike : up)
        for (const auto& sa : ike->child_sas)
          if (sa.name == cc.name && ChildPresent(sa)) present.push_back(&sa);
      if (present.empty()) continue;  // ipsec.child.missing's business
      std::vector<Prefix> inst_local, inst_remote;
      for (const ChildSa* sa : present) {
        for (const auto& p : Selectors(sa->local_ts)) inst_local.push_back(p);
        for (const auto& p : Selectors(sa->remote_ts)) inst_remote.push_back(p);
      }
      // "dynamic" and ranges are not prefixes: what cannot be compared is
      // not called narrowed.
      std::vector<Prefix> miss_local, miss_remote;
      std::size_t more_local = 0, more_remote = 0;
      if (!inst_local.empty())
        for (const auto& p : Selectors(cc.local_ts))
          Uncovered(p, inst_local, miss_local, kList, more_local);
      if (!inst_remote.empty())
        for (const auto& p : Selectors(cc.remote_ts))
          Uncovered(p, inst_remote, miss_remote, kList, more_remote);
      if (miss_local.empty() && miss_remote.empty()) continue;
      const ChildSa& sa = *present.front();
      Finding f{.id = "ipsec.ts.narrowed",
                .severity = Severity::kWarning,
                .subject = ConnectionSubject(s, conn.name),
                .weight = 55};
      std::vector<std::string> parts;
      if (!miss_local.empty())
        parts.push_back(fmt::format("local {}", PrefixList(miss_local, more_local)));
      if (!miss_remote.empty())
        parts.push_back(fmt::format("remote {}", PrefixList(miss_remote, more_remote)));
      f.message = fmt::format(
          "CHILD SA {} was narrowed in negotiation: {} is configured but not in the installed "
          "selectors, so that traffic has no tunnel",
          cc.name, Join(parts, "; "));
      f.evidence = {
          {fmt::format("CHILD SA {} installed", cc.name), TsText(sa), "the configured selectors"},
          {"configured (list-conns)",
           fmt::format("{} === {}", Join(cc.local_ts, ","), Join(cc.remote_ts, ",")), "—"},
      };
      if (!miss_local.empty())
        f.evidence.push_back({"local subnets left out", PrefixList(miss_local, more_local), "none"});
      if (!miss_remote.empty())
        f.evidence.push_back(
            {"remote subnets left out", PrefixList(miss_remote, more_remote), "none"});
      f.remedy = fmt::format(
          "Make the two sides' selectors mirror each other: the peer accepts only part of ours "
          "(its remote_ts/local_ts, or on VyOS `set vpn ipsec site-to-site peer {0} tunnel N "
          "local prefix` / `remote prefix`). A peer that takes one subnet pair per CHILD SA "
          "(many policy-based appliances) needs one child per pair. Verify: VyOS `show vpn ipsec "
          "sa detail`; Linux `swanctl --list-sas --ike {0}` shows the full selectors",
          conn.name);
      out.push_back(std::move(f));
    }
  }
  return out;
}

}  // namespace edgediag::plugin

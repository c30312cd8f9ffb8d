#include "plugin/report.h"

#include <algorithm>
#include <array>
#include <functional>
#include <iterator>
#include <optional>
#include <span>
#include <tuple>
#include <utility>
#include <unordered_map>

#include <fmt/format.h>

#include "plugin/dx_match.h"
#include "plugin/ipsec_rules.h"
#include "plugin/parallel.h"
#include "plugin/source_status.h"
#include "plugin/wg_rules.h"

namespace edgediag::plugin {
namespace {

const char* FamilyPrefix(Family f) {
  switch (f) {
    case Family::kDx: return "dx";
    case Family::kIpsec: return "ipsec";
    case Family::kWireguard: return "wg";
    case Family::kNet: return "net";
  }
  return "net";
}

// The source without which a family's subjects cannot be judged.
const char* RequiredSource(Family f) {
  switch (f) {
    case Family::kDx: return kSourceKernel;
    case Family::kIpsec: return kSourceVici;
    case Family::kWireguard: return kSourceWireguard;
    case Family::kNet: return kSourceKernel;
  }
  return kSourceKernel;
}

Family FamilyOf(SubjectKind k) {
  switch (k) {
    case SubjectKind::kDxVif: return Family::kDx;
    case SubjectKind::kIpsecConnection: return Family::kIpsec;
    case SubjectKind::kWgPeer:
    case SubjectKind::kWgInterface: return Family::kWireguard;
    case SubjectKind::kHost: return Family::kNet;
  }
  return Family::kNet;
}

// "IPv6 session 2001:db8::1" — how a finding names its peering.
std::string SessionName(const std::string& peer) {
  return fmt::format("{} session {}", peer.find(':') != std::string::npos ? "IPv6" : "IPv4", peer);
}

// What "ok" means for a DX subject, said with the values that were checked.
Finding DxOk(const Facts& facts, const Subject& subject) {
  Finding f{.id = "dx.ok", .severity = Severity::kOk};
  int sessions = 0;
  for (const auto& p : facts.dx()) sessions += p.subject.id == subject.id;
  bool all_up = sessions > 0;
  for (const auto& p : facts.dx()) {
    if (p.subject.id != subject.id) continue;
    // A dual-stack VIF: each row says which session it is about.
    std::string of = sessions > 1 && p.amazon ? ", " + SessionName(p.amazon->Address()) : "";
    if (p.iface && p.iface->vlan_id)
      f.evidence.push_back({"VLAN" + of, fmt::format("{} on {}", *p.iface->vlan_id, p.iface->name),
                            p.vlan ? std::to_string(p.vlan) : "—"});
    if (p.address)
      f.evidence.push_back({"address" + of, fmt::format("{}/{}", p.address->address, p.address->prefixlen),
                            p.expected.customerAddress.empty() ? "—" : p.expected.customerAddress});
    if (p.neighbour)
      f.evidence.push_back({"ARP/ND of the Amazon peer" + of, p.neighbour->state, "REACHABLE/STALE"});
    if (p.bgp) f.evidence.push_back({"BGP state" + of, p.bgp->bgpState, "Established"});
    all_up &= p.bgp && p.bgp->bgpState == "Established";
  }
  f.message = "the router matches the VIF and nothing points at a fault";
  if (all_up)
    f.message = sessions > 1 ? fmt::format("BGP is Established on all {} sessions and the router "
                                           "matches the VIF", sessions)
                             : "BGP is Established and the router matches the VIF";
  return f;
}

// A dual-stack VIF is one subject with two sessions, each judged on its
// own: every finding about one of them says which.
void NameSessions(const Facts& facts, std::span<Finding* const> found) {
  std::unordered_map<std::string_view, int> sessions;
  for (const auto& p : facts.dx()) ++sessions[p.subject.id];
  bool any = false;
  for (const auto& [id, n] : sessions) any |= n > 1;
  if (!any) return;
  for (Finding* f : found) {
    if (f->subject.kind != SubjectKind::kDxVif || f->subject.peer.empty()) continue;
    // About the VIF as a whole, not one of its sessions.
    if (f->id == "dx.resilience.single-vif" || f->id == "dx.vif.readable" ||
        f->id == "dx.mtu.invalid-for-type")
      continue;
    auto it = sessions.find(f->subject.id);
    if (it == sessions.end() || it->second < 2) continue;
    f->message = SessionName(f->subject.peer) + ": " + f->message;
  }
}

Finding GenericOk(Family family) {
  return Finding{.id = std::string(FamilyPrefix(family)) + ".ok",
                 .severity = Severity::kOk,
                 .message = "no fault found"};
}

// A subject met again may say more of itself (a finding, the other
// peering of a dual-stack VIF): the first word on each field stands.
void Merge(Subject& known, const Subject& s) {
  if (known.interface.empty()) known.interface = s.interface;
  if (known.peer.empty()) known.peer = s.peer;
  if (known.name.empty()) known.name = s.name;
}

/// The subjects of a family, each once, in order of appearance.
std::vector<Subject> EnumerateSubjects(Family family, const Facts& facts) {
  const Snapshot& s = facts.snapshot();
  std::vector<Subject> out;
  switch (family) {
    case Family::kDx:
      // One subject per VIF: a dual-stack VIF has two peerings.
      for (const auto& p : facts.dx()) {
        auto seen = std::find_if(out.begin(), out.end(),
                                 [&](const Subject& o) { return o.id == p.subject.id; });
        if (seen == out.end())
          out.push_back(p.subject);
        else
          Merge(*seen, p.subject);
      }
      break;
    case Family::kIpsec:
      return IpsecSubjects(s);
    case Family::kWireguard:
      return WireguardSubjects(s);
    case Family::kNet:
      break;
  }
  return out;
}

// `also` holds the other peer addresses and interfaces of a subject: a
// dual-stack VIF is one subject with an IPv4 and an IPv6 peering.
bool Matches(const Subject& s, const ReportFilter& f, const std::vector<std::string>& also) {
  auto in_also = [&](const std::string& v) {
    return std::find(also.begin(), also.end(), v) != also.end();
  };
  if (!f.interface.empty() && s.interface != f.interface && !in_also(f.interface)) return false;
  if (!f.peer.empty() && s.peer != f.peer && s.id != f.peer && s.name != f.peer &&
      !in_also(f.peer)) {
    // A WireGuard peer may be named by its key alone, an IPsec one by its address.
    auto colon = s.id.find(':');
    if (colon == std::string::npos || s.id.substr(colon + 1) != f.peer) return false;
  }
  return true;
}

}  // namespace

int Prior(const std::string& id) {
  // Field notes' frequencies of DX failure causes; they break ties only.
  if (id.rfind("dx.vlan.", 0) == 0) return 35;
  if (id.rfind("dx.md5.", 0) == 0) return 25;
  if (id.rfind("dx.ip.", 0) == 0) return 20;
  if (id.rfind("dx.asn.", 0) == 0) return 10;
  if (id.rfind("dx.mtu.", 0) == 0) return 10;
  return 0;
}

void RankFindings(std::vector<Finding>& findings) {
  if (findings.size() < 2) return;
  std::stable_sort(findings.begin(), findings.end(), [](const Finding& a, const Finding& b) {
    return std::make_tuple(static_cast<int>(a.severity), a.weight, Prior(a.id)) >
               std::make_tuple(static_cast<int>(b.severity), b.weight, Prior(b.id)) ||
           (std::make_tuple(static_cast<int>(a.severity), a.weight, Prior(a.id)) ==
                std::make_tuple(static_cast<int>(b.severity), b.weight, Prior(b.id)) &&
            a.id < b.id);
  });
}

Report BuildReport(const std::string& command, std::span<const Family> families,
                   const Snapshot& now, const Snapshot* previous, const ReportFilter& filter) {
  Facts facts(now, families);
  return BuildReport(command, families, facts, previous, filter);
}

Report BuildReport(const std::string& command, std::span<const Family> families,
                   const Facts& facts, const Snapshot* previous, const ReportFilter& filter,
                   std::span<const Rule> rules) {
  const Snapshot& now = facts.snapshot();
  Report r;
  r.command = command;
  r.hostname = now.hostname;
  r.taken_at = now.taken_at;
  r.sources = now.sources;
  for (const auto& p : facts.dx())
    if (p.iface)
      r.peerings.push_back({*p.iface, p.bgp ? std::optional<BgpNeighbor>(*p.bgp) : std::nullopt});

  // While the rules run, the subjects of each family are listed (as the
  // report's own entries) and the WireGuard peers indexed for their ok
  // findings: tasks beside the rules.
  std::vector<std::vector<SubjectReport>> listed(families.size());
  std::vector<std::function<void()>> beside;
  for (std::size_t i = 0; i < families.size(); ++i)
    beside.push_back([&, i] {
      std::vector<Subject> all = EnumerateSubjects(families[i], facts);
      listed[i].reserve(all.size());
      for (auto& s : all) listed[i].push_back(SubjectReport{.subject = std::move(s)});
    });
  if (std::find(families.begin(), families.end(), Family::kWireguard) != families.end())
    beside.push_back([&] { facts.wireguard(); });
  std::vector<RuleFailure> failures;
  // Each rule's findings stay in the list the rule made; `found` points at
  // them in catalogue order.
  std::vector<std::vector<Finding>> made =
      RunRules(families, facts, previous, beside, &failures, rules);
  std::vector<Finding*> found;
  {
    std::size_t n = 0;
    for (const auto& m : made) n += m.size();
    found.reserve(n);
    for (auto& m : made)
      for (auto& f : m) found.push_back(&f);
  }

  NameSessions(facts, found);

  // Every subject, in order of appearance, straight into the report (a
  // hub's 100,000 peers are not copied around), with its family beside it.
  std::vector<SubjectReport>& subjects = r.subjects;
  std::vector<Family> family_of;
  for (std::size_t f = 0; f < families.size(); ++f) {
    family_of.insert(family_of.end(), listed[f].size(), families[f]);
    if (subjects.empty()) {
      subjects = std::move(listed[f]);
      continue;
    }
    subjects.reserve(subjects.size() + listed[f].size());
    std::move(listed[f].begin(), listed[f].end(), std::back_inserter(subjects));
  }

  // The findings are few next to the subjects: they are what gets indexed
  // (by kind and id), and each subject collects its own, in catalogue order.
  // A subject's findings are a chain through `next` (most have one or none:
  // no list of their own).
  constexpr std::size_t kEnd = static_cast<std::size_t>(-1);
  struct Chain {
    std::size_t first, last;
  };
  std::array<std::unordered_map<std::string_view, Chain>, kSubjectKinds> of;
  std::vector<std::size_t> next(found.size(), kEnd);
  for (std::size_t i = 0; i < found.size(); ++i) {
    auto [it, fresh] = of[static_cast<std::size_t>(found[i]->subject.kind)].try_emplace(
        found[i]->subject.id, Chain{i, i});
    if (!fresh) next[std::exchange(it->second.last, i)] = i;
  }
  std::vector<char> taken(found.size(), 0);
  auto collect = [&](SubjectReport& sr) {
    auto& by_id = of[static_cast<std::size_t>(sr.subject.kind)];
    if (by_id.empty()) return;
    auto it = by_id.find(sr.subject.id);
    if (it == by_id.end()) return;
    std::size_t first = it->second.first;
    by_id.erase(it);  // before its key, a finding's id, moves away
    std::size_t count = 0;
    for (std::size_t i = first; i != kEnd; i = next[i]) ++count;
    sr.findings.reserve(sr.findings.size() + count);
    for (std::size_t i = first; i != kEnd; i = next[i]) {
      Merge(sr.subject, found[i]->subject);
      found[i]->subject = {};  // the SubjectReport's own is the one
      sr.findings.push_back(std::move(*found[i]));
      taken[i] = 1;
    }
  };
  for (auto& sr : subjects) collect(sr);
  // Subjects that only findings name (the router itself), in finding order.
  for (std::size_t i = 0; i < found.size(); ++i) {
    if (taken[i]) continue;
    family_of.push_back(FamilyOf(found[i]->subject.kind));
    subjects.push_back(SubjectReport{.subject = found[i]->subject});
    collect(subjects.back());
  }

  // A rule that could not run leaves its family's subjects unchecked for
  // what it looks at; with no such subject, the report says so itself.
  for (const RuleFailure& fail : failures) {
    Finding f{.id = std::string(FamilyPrefix(fail.rule->family)) + ".unchecked",
              .severity = Severity::kUnknown,
              .message = fmt::format("check {} could not run: {}", fail.rule->id, fail.what),
              .remedy = "Report this with a snapshot (--save-snapshot FILE): the rest of the "
                        "report stands."};
    bool any = false;
    for (std::size_t i = 0; i < subjects.size(); ++i) {
      if (family_of[i] != fail.rule->family) continue;
      subjects[i].findings.push_back(f);
      any = true;
    }
    if (!any) r.notes.push_back(f.message);
  }

  // What the user asked for: the rest is dropped before any more work.
  if (!filter.peer.empty() || !filter.interface.empty()) {
    const std::vector<DxPeering>& dx_peerings = facts.dx();
    std::size_t kept = 0;
    for (std::size_t i = 0; i < subjects.size(); ++i) {
      std::vector<std::string> also;
      if (subjects[i].subject.kind == SubjectKind::kDxVif)
        for (const auto& d : dx_peerings)
          if (d.subject.id == subjects[i].subject.id) {
            if (d.amazon) also.push_back(d.amazon->Address());
            if (d.iface) also.push_back(d.iface->name);
          }
      if (!Matches(subjects[i].subject, filter, also)) continue;
      if (kept != i) {
        subjects[kept] = std::move(subjects[i]);
        family_of[kept] = family_of[i];
      }
      ++kept;
    }
    subjects.resize(kept);
    family_of.resize(kept);
  }

  // Each subject is finished on its own (a hub's 10,000 wg.ok findings):
  // side by side on the cores.
  auto finish = [&](SubjectReport& rep, Family family) {
    bool problem = std::any_of(rep.findings.begin(), rep.findings.end(), [](const Finding& f) {
      return f.severity >= Severity::kUnknown;
    });
    // A DX peering is judged on the kernel and on FRR: without BGP's side a
    // subject with nothing wrong in the kernel is not known to be ok.
    const char* needed = RequiredSource(family);
    if (family == Family::kDx && now.Source(kSourceKernel).state == SourceState::kOk)
      needed = DumpOk(now, kSourceAddresses) ? kSourceFrr : kSourceAddresses;
    const SourceStatus& src = now.Source(needed);
    if (!problem && src.state != SourceState::kOk) {
      rep.findings.push_back(
          {.id = std::string(FamilyPrefix(family)) + ".unchecked",
           .severity = Severity::kUnknown,
           .message = fmt::format("could not be checked: {} source {}{}", needed,
                                  SourceStateName(src.state),
                                  src.reason.empty() ? "" : " (" + src.reason + ")"),
           .remedy = src.state == SourceState::kPermissionDenied ? "Run as root (VyOS: the op-mode "
                                                                   "command does this through sudo)."
                                                                 : ""});
    } else if (!problem) {
      switch (family) {
        case Family::kDx: rep.findings.insert(rep.findings.begin(), DxOk(facts, rep.subject)); break;
        case Family::kIpsec:
          rep.findings.insert(rep.findings.begin(), IpsecOk(now, rep.subject));
          break;
        case Family::kWireguard:
          // An idle road warrior is said to be idle, not "ok".
          if (std::none_of(rep.findings.begin(), rep.findings.end(),
                           [](const Finding& f) { return f.id == "wg.peer.idle"; }))
            rep.findings.insert(rep.findings.begin(), WireguardOk(facts, rep.subject));
          break;
        case Family::kNet:
          // Host subjects exist only through a finding (an info one here):
          // "net.ok" beside it would say nothing.
          if (rep.findings.empty())
            rep.findings.insert(rep.findings.begin(), GenericOk(family));
          break;
      }
    }
    RankFindings(rep.findings);
    // An ok subject leads with its "*.ok" finding; info notes follow it.
    auto ok = std::find_if(rep.findings.begin(), rep.findings.end(),
                           [](const Finding& f) { return f.severity == Severity::kOk; });
    if (!problem && ok != rep.findings.end()) std::rotate(rep.findings.begin(), ok, ok + 1);
    rep.verdict = Severity::kOk;
    for (const auto& f : rep.findings) rep.verdict = std::max(rep.verdict, f.severity);
    if (rep.verdict == Severity::kInfo) rep.verdict = Severity::kOk;
  };
  ForEachParallel(subjects.size(), 512, [&](std::size_t i) { finish(subjects[i], family_of[i]); });

  // Worst verdict first, in order of appearance within a verdict. A healthy
  // hub is in order already.
  auto worse = [](const SubjectReport& a, const SubjectReport& b) { return a.verdict > b.verdict; };
  if (!std::is_sorted(subjects.begin(), subjects.end(), worse))
    std::stable_sort(subjects.begin(), subjects.end(), worse);
  return r;
}

std::map<std::string, int> Summary(const Report& report) {
  std::map<std::string, int> m{{"critical", 0}, {"warning", 0}, {"ok", 0}, {"unknown", 0}};
  for (const auto& s : report.subjects) {
    switch (s.verdict) {
      case Severity::kCritical: ++m["critical"]; break;
      case Severity::kWarning: ++m["warning"]; break;
      case Severity::kUnknown: ++m["unknown"]; break;
      default: ++m["ok"]; break;
    }
  }
  return m;
}

}  // namespace edgediag::plugin

#include "plugin/report.h"

#include <algorithm>
#include <array>
#include <deque>
#include <optional>
#include <tuple>
#include <unordered_map>

#include <fmt/format.h>

#include "plugin/dx_match.h"
#include "plugin/snapshot_json.h"
#include "plugin/vpn_rules.h"

namespace edgediag::plugin {
namespace {

struct Pending {
  SubjectReport report;
  Family family;
};

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

// What "ok" means for a DX subject, said with the values that were checked.
Finding DxOk(const Snapshot& s, const Subject& subject) {
  Finding f{.id = "dx.ok", .severity = Severity::kOk};
  std::vector<std::string> parts;
  for (const auto& p : MatchDx(s)) {
    if (p.subject.id != subject.id) continue;
    if (p.iface && p.iface->vlan_id)
      f.evidence.push_back({"VLAN", fmt::format("{} on {}", *p.iface->vlan_id, p.iface->name),
                            p.vlan ? std::to_string(p.vlan) : "—"});
    if (p.address)
      f.evidence.push_back({"address", fmt::format("{}/{}", p.address->address, p.address->prefixlen),
                            p.expected.customerAddress.empty() ? "—" : p.expected.customerAddress});
    if (p.neighbour)
      f.evidence.push_back({"ARP/ND of the Amazon peer", p.neighbour->state, "REACHABLE/STALE"});
    if (p.bgp) f.evidence.push_back({"BGP state", p.bgp->bgpState, "Established"});
  }
  f.message = "the router matches the VIF and nothing points at a fault";
  for (const auto& e : f.evidence)
    if (e.what == "BGP state" && e.observed == "Established")
      f.message = "BGP is Established and the router matches the VIF";
  return f;
}

Finding GenericOk(Family family) {
  return Finding{.id = std::string(FamilyPrefix(family)) + ".ok",
                 .severity = Severity::kOk,
                 .message = "no fault found"};
}

std::vector<Subject> EnumerateSubjects(Family family, const Snapshot& s) {
  std::vector<Subject> out;
  switch (family) {
    case Family::kDx:
      for (const auto& p : MatchDx(s)) out.push_back(p.subject);
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
  Report r;
  r.command = command;
  r.taken_at = now.taken_at;
  r.sources = now.sources;

  // Subjects in order of first appearance, indexed by kind and id so that
  // 100k WireGuard peers do not make the report quadratic. A deque: the
  // index holds views of the subjects' ids, which must stay where they are.
  std::deque<Pending> subjects;
  std::array<std::unordered_map<std::string_view, Pending*>, kSubjectKinds> index;
  auto find = [&](const Subject& s) -> Pending* {
    auto& by_id = index[static_cast<std::size_t>(s.kind)];
    auto it = by_id.find(s.id);
    return it == by_id.end() ? nullptr : it->second;
  };
  auto add = [&](Subject&& s) -> Pending* {
    Family family = FamilyOf(s.kind);
    Pending& p = subjects.emplace_back(Pending{SubjectReport{.subject = std::move(s)}, family});
    index[static_cast<std::size_t>(p.report.subject.kind)].emplace(p.report.subject.id, &p);
    return &p;
  };

  // A subject met again may say more of itself (a finding, the other
  // peering of a dual-stack VIF): the first word on each field stands.
  auto merge = [](Pending* p, const Subject& s) {
    Subject& known = p->report.subject;
    if (known.interface.empty()) known.interface = s.interface;
    if (known.peer.empty()) known.peer = s.peer;
    if (known.name.empty()) known.name = s.name;
  };

  for (Family f : families)
    for (auto& s : EnumerateSubjects(f, now))
      if (Pending* p = find(s))
        merge(p, s);
      else
        add(std::move(s));
  for (auto& f : RunRules(families, now, previous)) {
    Pending* p = find(f.subject);
    if (p)
      merge(p, f.subject);
    else
      p = add(Subject(f.subject));
    f.subject = {};  // the SubjectReport's own is the one
    p->report.findings.push_back(std::move(f));
  }

  std::optional<WireguardLookup> wg_lookup;
  for (auto& p : subjects) {
    auto& rep = p.report;
    bool problem = std::any_of(rep.findings.begin(), rep.findings.end(), [](const Finding& f) {
      return f.severity >= Severity::kUnknown;
    });
    // A DX peering is judged on the kernel and on FRR: without BGP's side a
    // subject with nothing wrong in the kernel is not known to be ok.
    const char* needed = RequiredSource(p.family);
    if (p.family == Family::kDx && now.Source(kSourceKernel).state == SourceState::kOk)
      needed = kSourceFrr;
    const SourceStatus& src = now.Source(needed);
    if (!problem && src.state != SourceState::kOk) {
      rep.findings.push_back(
          {.id = std::string(FamilyPrefix(p.family)) + ".unchecked",
           .severity = Severity::kUnknown,
           .message = fmt::format("could not be checked: {} source {}{}", needed,
                                  SourceStateName(src.state),
                                  src.reason.empty() ? "" : " (" + src.reason + ")"),
           .remedy = src.state == SourceState::kPermissionDenied ? "Run as root (VyOS: the op-mode "
                                                                   "command does this through sudo)."
                                                                 : ""});
    } else if (!problem) {
      switch (p.family) {
        case Family::kDx: rep.findings.insert(rep.findings.begin(), DxOk(now, rep.subject)); break;
        case Family::kIpsec:
          rep.findings.insert(rep.findings.begin(), IpsecOk(now, rep.subject));
          break;
        case Family::kWireguard:
          if (!wg_lookup) wg_lookup.emplace(now);
          rep.findings.insert(rep.findings.begin(), WireguardOk(now, *wg_lookup, rep.subject));
          break;
        case Family::kNet:
          // Host subjects exist only through a finding (an info one here):
          // "net.ok" beside it would say nothing.
          if (rep.findings.empty())
            rep.findings.insert(rep.findings.begin(), GenericOk(p.family));
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
  }

  r.subjects.reserve(subjects.size());
  const std::vector<DxPeering> dx_peerings =
      filter.peer.empty() && filter.interface.empty() ? std::vector<DxPeering>() : MatchDx(now);
  for (auto& p : subjects) {
    std::vector<std::string> also;
    if (p.report.subject.kind == SubjectKind::kDxVif && (!filter.peer.empty() || !filter.interface.empty()))
      for (const auto& d : dx_peerings)
        if (d.subject.id == p.report.subject.id) {
          if (d.amazon) also.push_back(d.amazon->Address());
          if (d.iface) also.push_back(d.iface->name);
        }
    if (Matches(p.report.subject, filter, also)) r.subjects.push_back(std::move(p.report));
  }
  // Worst verdict first, in order of appearance within a verdict: a stable
  // sort on five values, one pass per value.
  std::vector<SubjectReport> ranked;
  ranked.reserve(r.subjects.size());
  for (int v = static_cast<int>(Severity::kCritical); v >= static_cast<int>(Severity::kOk); --v)
    for (auto& sr : r.subjects)
      if (static_cast<int>(sr.verdict) == v) ranked.push_back(std::move(sr));
  r.subjects = std::move(ranked);
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

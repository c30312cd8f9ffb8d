#include <fmt/format.h>

#include <algorithm>

#include "op-mode/render.h"
#include "plugin/dx_match.h"
#include "plugin/snapshot_json.h"

namespace edgediag::opmode {
namespace {

using plugin::Severity;

struct Style {
  bool on;
  std::string Paint(Severity s, const std::string& text) const {
    if (!on) return text;
    const char* code = s == Severity::kCritical  ? "1;31"
                       : s == Severity::kWarning ? "1;33"
                       : s == Severity::kUnknown ? "1;35"
                       : s == Severity::kOk      ? "1;32"
                                                 : "1;36";
    return fmt::format("\033[{}m{}\033[0m", code, text);
  }
  std::string Dim(const std::string& text) const {
    return on ? fmt::format("\033[2m{}\033[0m", text) : text;
  }
};

std::string Upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// Appends how a subject is named to `out` (a hub has 100,000 of them).
void AppendLabel(std::string& out, const plugin::SubjectReport& sr) {
  const auto& s = sr.subject;
  if (s.kind == plugin::SubjectKind::kWgPeer && !s.name.empty()) {
    out.append(s.name).append(" (").append(s.id).append(")");
  } else {
    out += s.id;
    if (!s.name.empty() && s.name != s.id) out.append(" \"").append(s.name).append("\"");
  }
  if (s.kind == plugin::SubjectKind::kDxVif) {
    if (!s.interface.empty()) out.append(" on ").append(s.interface);
    if (!s.peer.empty() && s.peer != s.id) out.append(" -> ").append(s.peer);
  }
}

std::string SubjectLabel(const plugin::SubjectReport& sr) {
  std::string label;
  AppendLabel(label, sr);
  return label;
}

std::string Title(const std::string& command) {
  if (command == "dx") return "Direct Connect diagnostics";
  if (command == "vpn") return "VPN health";
  return "edgediag " + command;
}

// --detail: what each source's decoder had to leave out, one line a source
// ("kernel: ok, 2 warnings: ..."); nothing when none did.
void SourceWarnings(std::string& out, const plugin::Report& report) {
  std::string lines;
  for (const auto& [name, s] : report.sources) {
    if (s.warnings.empty()) continue;
    lines += fmt::format("  {}: {}, {} warning{}: {}\n", name, plugin::SourceStateName(s.state),
                         s.warnings.size(), s.warnings.size() == 1 ? "" : "s",
                         fmt::join(s.warnings, "; "));
  }
  if (!lines.empty()) out += "\nSource warnings\n" + lines;
}

void DetailTable(std::string& out, const plugin::Report& report, const plugin::Snapshot& s) {
  out += "\nEvidence\n";
  for (const auto& sr : report.subjects) {
    out += fmt::format("  {}\n", sr.subject.id);
    std::size_t w = 4;
    for (const auto& f : sr.findings)
      for (const auto& e : f.evidence) w = std::max(w, e.what.size());
    for (const auto& f : sr.findings)
      for (const auto& e : f.evidence)
        out += fmt::format("    {:<{}}  {:<24}  expected {}\n", e.what, w, e.observed,
                           e.expected.empty() ? "—" : e.expected);
  }
  if (report.command == "dx") {
    out += "\n  Interfaces on the peerings\n";
    for (const auto& p : plugin::MatchDx(s)) {
      if (!p.iface) continue;
      const auto& i = *p.iface;
      out += fmt::format("    {:<16} kind {:<6} vlan {:<5} proto {:<8} mtu {:<5} {} carrier {}\n",
                         i.name, i.kind.empty() ? "-" : i.kind,
                         i.vlan_id ? std::to_string(*i.vlan_id) : "-",
                         !i.vlan_protocol             ? "-"
                         : *i.vlan_protocol == 0x88a8 ? "802.1ad"
                                                      : "802.1Q",
                         i.mtu, i.admin_up ? "up" : "down", i.carrier ? "yes" : "no");
      if (p.bgp)
        out += fmt::format("    BGP {:<12} state {:<12} AS {} -> {}  last: {}\n", p.bgp->address,
                           p.bgp->bgpState, p.bgp->localAs ? std::to_string(*p.bgp->localAs) : "?",
                           p.bgp->remoteAs ? std::to_string(*p.bgp->remoteAs) : "?",
                           p.bgp->lastNotificationReason.empty() ? p.bgp->lastResetDueTo
                                                                 : p.bgp->lastNotificationReason);
    }
  }
}

}  // namespace

std::string RenderText(const plugin::Report& report, const plugin::Snapshot& snapshot,
                       const TextOptions& options) {
  Style st{options.color};
  std::string out;
  auto summary = plugin::Summary(report);
  out += fmt::format("{} — {}{}\n", Title(report.command),
                     snapshot.hostname.empty() ? "" : snapshot.hostname + ", ", report.taken_at);
  for (const auto& note : report.notes) out += fmt::format("{}\n", note);
  if (report.subjects.empty() && report.notes.empty()) {
    out += report.command == "dx"
               ? "No Direct Connect peering found: no VIF description (--vif-file, "
                 "/config/edgediag/vifs.d/, /etc/edgediag/vifs.d/) and no BGP neighbour in "
                 "169.254.0.0/16 or with an Amazon ASN.\n"
               : "Nothing to examine.\n";
  }
  // One line per subject, worst first: appended, not formatted, as there
  // may be 100,000.
  std::string verdicts[5];
  for (auto v : {Severity::kOk, Severity::kInfo, Severity::kUnknown, Severity::kWarning,
                 Severity::kCritical})
    verdicts[static_cast<int>(v)] = st.Paint(v, fmt::format("{:<8}", Upper(SeverityName(v))));
  out.reserve(out.size() + report.subjects.size() * 160);
  for (const auto& sr : report.subjects) {
    out += verdicts[static_cast<int>(sr.verdict)];
    out += ' ';
    AppendLabel(out, sr);
    out += ": ";
    if (!sr.findings.empty()) out += sr.findings.front().message;
    out += '\n';
  }
  // Then the ranked causes of every subject that is not fine.
  for (const auto& sr : report.subjects) {
    if (sr.verdict == Severity::kOk) continue;
    out += fmt::format("\n{} — most likely cause first:\n", SubjectLabel(sr));
    int n = 0;
    for (const auto& f : sr.findings) {
      if (f.severity == Severity::kOk) continue;
      out += fmt::format(" {}. {} {}: {}\n", ++n,
                         st.Paint(f.severity, Upper(SeverityName(f.severity))), f.id, f.message);
      for (const auto& e : f.evidence)
        out += fmt::format("    {} {}: {}{}\n", st.Dim("evidence"), e.what, e.observed,
                           e.expected.empty() ? "" : " (expected " + e.expected + ")");
      if (!f.remedy.empty()) out += fmt::format("    {} {}\n", st.Dim("fix"), f.remedy);
    }
  }
  std::vector<std::string> src;
  for (const auto& [name, s] : report.sources) {
    if (s.state == plugin::SourceState::kOk) continue;
    src.push_back(fmt::format("{} {}{}", name, plugin::SourceStateName(s.state),
                              s.reason.empty() ? "" : " (" + s.reason + ")"));
  }
  if (!src.empty()) out += fmt::format("\nNot examined: {}\n", fmt::join(src, "; "));
  if (options.detail) SourceWarnings(out, report);
  if (options.detail) DetailTable(out, report, snapshot);
  out += fmt::format("\n{} critical, {} warning, {} ok, {} unknown\n", summary["critical"],
                     summary["warning"], summary["ok"], summary["unknown"]);
  return out;
}

}  // namespace edgediag::opmode

#include <fmt/format.h>

#include <algorithm>

#include "op-mode/render.h"
#include "plugin/source_status.h"

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

// True for a byte that needs no escaping and starts nothing: printable ASCII.
bool Plain(unsigned char c) { return c >= 0x20 && c < 0x7f; }

std::string Upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// Appends how a subject is named to `out` (a hub has 100,000 of them).
void AppendLabel(std::string& out, const plugin::SubjectReport& sr) {
  const auto& s = sr.subject;
  if (s.kind == plugin::SubjectKind::kWgPeer && !s.name.empty()) {
    AppendPrintable(out, s.name);
    out.append(" (");
    AppendPrintable(out, s.id);
    out.append(")");
  } else {
    AppendPrintable(out, s.id);
    if (!s.name.empty() && s.name != s.id) {
      out.append(" \"");
      AppendPrintable(out, s.name);
      out.append("\"");
    }
  }
  if (s.kind == plugin::SubjectKind::kDxVif) {
    if (!s.interface.empty()) AppendPrintable(out.append(" on "), s.interface);
    if (!s.peer.empty() && s.peer != s.id) AppendPrintable(out.append(" -> "), s.peer);
  }
}

// P() for the fmt calls below.
std::string P(std::string_view s) { return Printable(s); }

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
    lines += fmt::format("  {}: {}, {} warning{}: {}\n", P(name), plugin::SourceStateName(s.state),
                         s.warnings.size(), s.warnings.size() == 1 ? "" : "s",
                         P(fmt::format("{}", fmt::join(s.warnings, "; "))));
  }
  if (!lines.empty()) out += "\nSource warnings\n" + lines;
}

void DetailTable(std::string& out, const plugin::Report& report) {
  out += "\nEvidence\n";
  for (const auto& sr : report.subjects) {
    out += fmt::format("  {}\n", P(sr.subject.id));
    std::size_t w = 4;
    for (const auto& f : sr.findings)
      for (const auto& e : f.evidence) w = std::max(w, e.what.size());
    for (const auto& f : sr.findings)
      for (const auto& e : f.evidence)
        out += fmt::format("    {:<{}}  {:<24}  expected {}\n", P(e.what), w, P(e.observed),
                           e.expected.empty() ? "—" : P(e.expected));
  }
  if (report.command == "dx") {
    out += "\n  Interfaces on the peerings\n";
    for (const auto& p : report.peerings) {
      const auto& i = p.iface;
      out += fmt::format("    {:<16} kind {:<6} vlan {:<5} proto {:<8} mtu {:<5} {} carrier {}\n",
                         P(i.name), i.kind.empty() ? "-" : P(i.kind),
                         i.vlan_id ? std::to_string(*i.vlan_id) : "-",
                         !i.vlan_protocol             ? "-"
                         : *i.vlan_protocol == 0x88a8 ? "802.1ad"
                                                      : "802.1Q",
                         i.mtu, i.admin_up ? "up" : "down", i.carrier ? "yes" : "no");
      if (p.bgp)
        out += fmt::format("    BGP {:<12} state {:<12} AS {} -> {}  last: {}\n", P(p.bgp->address),
                           P(p.bgp->bgpState), p.bgp->localAs ? std::to_string(*p.bgp->localAs) : "?",
                           p.bgp->remoteAs ? std::to_string(*p.bgp->remoteAs) : "?",
                           P(p.bgp->lastNotificationReason.empty() ? p.bgp->lastResetDueTo
                                                                   : p.bgp->lastNotificationReason));
    }
  }
}

}  // namespace

void AppendPrintable(std::string& out, std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    // Printable ASCII runs, the common case, are copied in one go.
    std::size_t run = i;
    while (run < s.size() && Plain(static_cast<unsigned char>(s[run]))) ++run;
    out.append(s.substr(i, run - i));
    i = run;
    if (i == s.size()) break;
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {  // C0 controls and DEL: terminal escapes, line breaks
      out += fmt::format("\\x{:02x}", c);
      ++i;
      continue;
    }
    // UTF-8: a whole, well-formed sequence is kept, but for the C1 controls
    // U+0080..U+009F (0x9b is CSI on some terminals); anything else is a
    // byte that is not UTF-8, shown as \xNN.
    std::size_t len = c >= 0xf0 && c < 0xf5 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 && c < 0xe0 ? 2 : 0;
    bool whole = len != 0 && i + len <= s.size();
    for (std::size_t k = 1; whole && k < len; ++k)
      whole = (static_cast<unsigned char>(s[i + k]) & 0xc0) == 0x80;
    if (!whole) {
      out += fmt::format("\\x{:02x}", c);
      ++i;
      continue;
    }
    if (len == 2 && c == 0xc2 && static_cast<unsigned char>(s[i + 1]) < 0xa0) {
      out += fmt::format("\\u{:04x}", static_cast<unsigned char>(s[i + 1]));
    } else {
      out.append(s.substr(i, len));
    }
    i += len;
  }
}

std::string Printable(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  AppendPrintable(out, s);
  return out;
}

std::string RenderText(const plugin::Report& report, const TextOptions& options) {
  Style st{options.color};
  std::string out;
  auto summary = plugin::Summary(report);
  out += fmt::format("{} — {}{}\n", Title(report.command),
                     report.hostname.empty() ? "" : P(report.hostname) + ", ", report.taken_at);
  for (const auto& note : report.notes) out += fmt::format("{}\n", P(note));
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
    if (!sr.findings.empty()) AppendPrintable(out, sr.findings.front().message);
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
                         st.Paint(f.severity, Upper(SeverityName(f.severity))), f.id, P(f.message));
      for (const auto& e : f.evidence)
        out += fmt::format("    {} {}: {}{}\n", st.Dim("evidence"), P(e.what), P(e.observed),
                           e.expected.empty() ? "" : " (expected " + P(e.expected) + ")");
      if (!f.remedy.empty()) out += fmt::format("    {} {}\n", st.Dim("fix"), P(f.remedy));
    }
  }
  std::vector<std::string> src;
  for (const auto& [name, s] : report.sources) {
    if (s.state == plugin::SourceState::kOk) continue;
    src.push_back(fmt::format("{} {}{}", name, plugin::SourceStateName(s.state),
                              s.reason.empty() ? "" : " (" + P(s.reason) + ")"));
  }
  if (!src.empty()) out += fmt::format("\nNot examined: {}\n", fmt::join(src, "; "));
  if (options.detail) SourceWarnings(out, report);
  if (options.detail) DetailTable(out, report);
  out += fmt::format("\n{} critical, {} warning, {} ok, {} unknown\n", summary["critical"],
                     summary["warning"], summary["ok"], summary["unknown"]);
  return out;
}

}  // namespace edgediag::opmode

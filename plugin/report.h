// The Report: findings grouped per subject, most likely cause first, and a
// verdict per subject. Renderers (op-mode/) print it; they decide nothing.
#pragma once

#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "plugin/facts.h"
#include "plugin/finding.h"
#include "plugin/rules.h"
#include "plugin/snapshot.h"

namespace edgediag::plugin {

struct SubjectReport {
  Subject subject;
  Severity verdict = Severity::kOk;
  /// Ranked, most likely cause first. Their own `subject` is left empty:
  /// it is this report's.
  std::vector<Finding> findings;
};

/// A DX peering's interface and BGP neighbour as the router holds them,
/// for the renderers' detail table (`--detail`).
struct PeeringDetail {
  Interface iface;
  std::optional<BgpNeighbor> bgp;
};

struct Report {
  std::string command;  ///< "dx", "vpn", "check"
  std::string hostname;
  std::string taken_at;
  std::map<std::string, SourceStatus> sources;
  std::vector<SubjectReport> subjects;  ///< worst verdict first
  std::vector<std::string> notes;       ///< report-wide remarks for people
  std::vector<PeeringDetail> peerings;  ///< dx: every peering with an interface
};

/// Narrows a report to what the user asked for.
struct ReportFilter {
  std::string interface;  ///< dx --interface
  std::string peer;       ///< dx --peer ADDR, vpn --peer NAME
};

/// Runs the rules of `families` (from `rules`, the catalogue by default)
/// over the facts of a snapshot and builds the ranked report.
Report BuildReport(const std::string& command, std::span<const Family> families,
                   const Facts& facts, const Snapshot* previous, const ReportFilter& filter = {},
                   std::span<const Rule> rules = AllRules());

/// As above, deriving the facts of `now` first.
Report BuildReport(const std::string& command, std::span<const Family> families,
                   const Snapshot& now, const Snapshot* previous, const ReportFilter& filter = {});

/// Sorts findings: severity, then the evidence weight, then the field
/// notes' prior for the category (ties only), then id.
void RankFindings(std::vector<Finding>& findings);

/// The prior of a check id's category (VLAN 35, MD5 25, IP 20, ASN 10, MTU 10).
int Prior(const std::string& id);

/// Counts subjects per verdict: {"critical", "warning", "ok", "unknown"}.
std::map<std::string, int> Summary(const Report& report);

}  // namespace edgediag::plugin

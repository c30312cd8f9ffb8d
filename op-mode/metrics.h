// Machine outputs of `edgediag check`: a Prometheus textfile for
// node_exporter's textfile collector, and CloudWatch Embedded Metric Format
// (EMF) lines for the CloudWatch agent. Both are pure functions of the
// report and the snapshot it was built from; check.cc writes them.
#pragma once

#include <string>
#include <string_view>

#include "plugin/finding.h"
#include "plugin/report.h"
#include "plugin/snapshot.h"

namespace edgediag::opmode {

/// A verdict as a Nagios code: 0 ok (and info), 1 warning, 2 critical, 3 unknown.
int NagiosCode(plugin::Severity severity);

/// A Prometheus label value, escaped (backslash, double quote, newline).
std::string PrometheusEscape(std::string_view value);

/// The Prometheus text exposition (format 0.0.4): HELP and TYPE for every
/// family, one series per VIF / tunnel / peer; no timestamps (the textfile
/// collector forbids them). edgediag_subject_cause (the first finding) and
/// edgediag_subject_info (a subject's names) are what the shipped alerts
/// (monitoring/prometheus) join on.
std::string RenderPrometheus(const plugin::Report& report, const plugin::Snapshot& snapshot);

/// The CloudWatch EMF namespace.
inline constexpr char kEmfNamespace[] = "edgediag";

/// One EMF JSON object per subject, one per line, each ending in '\n'.
/// Dimensions: Host, Kind, Subject. Timestamp: the snapshot's taken_at_ms.
/// A DX VIF that a VIF file describes also gets BgpStatus,
/// BgpPrefixesAccepted and BgpPrefixesAdvertised under AWS/DX's dimensions
/// (VirtualInterfaceId; ConnectionId with VirtualInterfaceId when known).
std::string RenderEmf(const plugin::Report& report, const plugin::Snapshot& snapshot);

}  // namespace edgediag::opmode

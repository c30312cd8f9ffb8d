// `edgediag check`: the periodic self-check behind cron/systemd. Runs the DX
// and VPN checks, compares with the previous run's state file, logs state
// changes to syslog, and writes Nagios, Prometheus and CloudWatch outputs.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "plugin/capture.h"
#include "plugin/finding.h"
#include "plugin/report.h"
#include "plugin/snapshot.h"

namespace edgediag::opmode {

// Nagios/Icinga plugin exit codes.
inline constexpr int kNagiosOk = 0;
inline constexpr int kNagiosWarning = 1;
inline constexpr int kNagiosCritical = 2;
inline constexpr int kNagiosUnknown = 3;

inline constexpr char kDefaultStateFile[] = "/var/lib/edgediag/state.json";

/// Marks a state file document (the snapshot is embedded as edgediag.snapshot/1).
inline constexpr char kStateSchema[] = "edgediag.state/1";

struct CheckOptions {
  bool dx = true;
  bool vpn = true;
  std::string state_file = kDefaultStateFile;  ///< empty: no state kept
  std::string prometheus_file;  ///< node_exporter textfile, replaced atomically; empty: none
  std::string emf_file;         ///< CloudWatch EMF lines, appended; empty: none
  bool syslog = true;
  bool json = false;  ///< print the report's JSON instead of the one-line status
  /// Inputs that could not be read (a VIF file): part of the router is
  /// unchecked, so the status is UNKNOWN unless something is CRITICAL.
  std::vector<std::string> input_errors;
};

/// The largest state file read back: one snapshot and its findings (a hub
/// of 100,000 peers is ~40 MiB).
inline constexpr std::size_t kMaxStateBytes = 256u << 20;

/// "OK", "WARNING", "CRITICAL" or "UNKNOWN" for a Nagios exit code.
std::string StatusWord(int code);

/// Prints check's one line for a run that could not get as far as a report
/// ("EDGEDIAG UNKNOWN: why") and returns the UNKNOWN exit code.
int CheckUnknown(std::ostream& out, std::string_view why);

/// Where state-change lines go. One real implementation (syslog(3)) and a
/// fake in the tests.
class SyslogSink {
 public:
  virtual ~SyslogSink() = default;
  /// Logs one line; `priority` is a syslog(3) level (LOG_ERR, LOG_WARNING, ...).
  virtual void Log(int priority, const std::string& line) = 0;
};

/// openlog("edgediag", LOG_PID, LOG_DAEMON) on construction, closelog() on destruction.
class RealSyslog : public SyslogSink {
 public:
  RealSyslog();
  ~RealSyslog() override;
  RealSyslog(const RealSyslog&) = delete;
  RealSyslog& operator=(const RealSyslog&) = delete;
  void Log(int priority, const std::string& line) override;
};

/// What the previous report said about one subject.
struct SubjectState {
  std::string kind;  ///< the JSON kind: dx-vif, ipsec-connection, wg-peer, wg-interface
  std::string id;
  plugin::Severity verdict = plugin::Severity::kOk;
  /// Finding ids with their severities, most likely cause first.
  std::vector<std::pair<std::string, plugin::Severity>> findings;
  bool operator==(const SubjectState&) const = default;
};

/// The state file: the previous snapshot (secrets are never in snapshots)
/// and the previous report's findings per subject.
struct CheckState {
  plugin::Snapshot snapshot;
  std::vector<SubjectState> subjects;
  bool operator==(const CheckState&) const = default;
};

/// The state to keep after a check that produced `report` from `snapshot`.
CheckState StateFromReport(const plugin::Report& report, plugin::Snapshot snapshot);

/// Reads a state file; a bare snapshot document is accepted (no subjects).
Result<CheckState> LoadCheckState(const std::string& path);
/// Parses a state file's text (`source` names it in errors), as LoadCheckState.
Result<CheckState> ParseCheckState(std::string_view text, const std::string& source);

/// Writes the state file atomically, mode 0600. Its directory must exist,
/// but for the package's own (named edgediag, as /var/lib/edgediag, in a
/// parent that exists), created 0700 when missing.
Result<void> SaveCheckState(const CheckState& state, const std::string& path);

/// The previous check's snapshot, for counter deltas; nullopt when there is
/// none or it cannot be read (never an error for dx/vpn).
std::optional<plugin::Snapshot> LoadState(const std::string& path);

/// As LoadState, but only a snapshot of this host taken at most `max_age_ms`
/// before `now_ms` (and not after it): an old or foreign state gives
/// meaningless deltas.
std::optional<plugin::Snapshot> LoadRecentState(const std::string& path, std::string_view hostname,
                                                std::int64_t now_ms, std::int64_t max_age_ms);

/// One line to log.
struct StateChange {
  int priority;  ///< syslog(3) level
  std::string line;
  bool operator==(const StateChange&) const = default;
};

/// The changes between the previous state and now, one per line: findings
/// (warning, critical, unknown) appearing, clearing or changing severity,
/// verdicts changing, subjects appearing or going, BGP sessions leaving or
/// reaching Established (or dropping in between). With no previous state,
/// only the current problems. Lines never hold secrets or control characters.
std::vector<StateChange> DiffStates(const CheckState* previous, const CheckState& now);

/// Runs the self-check on `now` (already captured, VIFs loaded). Returns a
/// Nagios exit code; prints the one-line status with perfdata to `out`.
/// State changes go to syslog unless options.syslog is false.
int RunCheck(const CheckOptions& options, plugin::Snapshot now, std::ostream& out,
             std::ostream& err);

/// As above, logging state changes to `sink` (options.syslog is ignored).
int RunCheck(const CheckOptions& options, plugin::Snapshot now, std::ostream& out,
             std::ostream& err, SyslogSink& sink);

}  // namespace edgediag::opmode

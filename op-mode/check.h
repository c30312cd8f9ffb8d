// `edgediag check`: the periodic self-check behind cron/systemd. Runs the DX
// and VPN checks, compares with the previous run's state file, logs state
// changes to syslog, and writes Nagios, Prometheus and CloudWatch outputs.
#pragma once

#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "plugin/capture.h"
#include "plugin/snapshot.h"

namespace edgediag::opmode {

// Nagios/Icinga plugin exit codes.
inline constexpr int kNagiosOk = 0;
inline constexpr int kNagiosWarning = 1;
inline constexpr int kNagiosCritical = 2;
inline constexpr int kNagiosUnknown = 3;

inline constexpr char kDefaultStateFile[] = "/var/lib/edgediag/state.json";

struct CheckOptions {
  bool dx = true;
  bool vpn = true;
  std::string state_file = kDefaultStateFile;
  std::string prometheus_file;  ///< node_exporter textfile; empty: none
  std::string emf_file;         ///< CloudWatch EMF lines; empty: none
  bool syslog = true;
};

/// The previous check's snapshot, for counter deltas; nullopt when there is
/// none or it cannot be read (never an error for dx/vpn).
std::optional<plugin::Snapshot> LoadState(const std::string& path);

/// Runs the self-check on `now` (already captured, VIFs loaded). Returns a
/// Nagios exit code; prints the one-line status with perfdata to `out`.
int RunCheck(const CheckOptions& options, plugin::Snapshot now, std::ostream& out,
             std::ostream& err);

}  // namespace edgediag::opmode

#include "op-mode/cli.h"

#include <fmt/format.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <ostream>
#include <thread>

#include "base/key_print.h"
#include "op-mode/check.h"
#include "op-mode/deadline.h"
#include "op-mode/render.h"
#include "plugin/capture.h"
#include "plugin/snapshot_json.h"
#include "plugin/vif_reader.h"

namespace edgediag::opmode {
namespace {

using plugin::Family;
using plugin::Snapshot;
using plugin::SourceState;

// The VIF description directories, in order: /config survives VyOS image
// upgrades, /etc is the plain-Linux place.
constexpr const char* kVifDirs[] = {"/config/edgediag/vifs.d", "/etc/edgediag/vifs.d"};

struct Options {
  std::string command;
  bool json = false;
  bool detail = false;
  std::string color = "auto";
  std::vector<std::string> vif_files;
  std::vector<std::string> vif_dirs{std::begin(kVifDirs), std::end(kVifDirs)};
  std::string interface, peer;
  bool probe = false;
  double sample = 0;
  double deadline = 10;  ///< seconds for the whole run, --sample's pause added
  bool ipsec = false, wireguard = false;
  bool check_dx = false, check_vpn = false;
  std::string from_snapshot, save_snapshot;
  plugin::CaptureOptions capture;
  CheckOptions check;  ///< check's options; --state also feeds dx/vpn deltas
};

// EDGEDIAG_DEBUG=timing: how long each phase took, on stderr (as ninja's
// -d stats). The wall clock: in a QEMU TCG guest steady_clock was seen
// running ~30 times too fast.
class PhaseTimes {
 public:
  PhaseTimes() {
    const char* d = std::getenv("EDGEDIAG_DEBUG");
    on_ = d != nullptr && std::string_view(d).find("timing") != std::string_view::npos;
    last_ = Clock::now();
  }
  void Done(const char* phase) {
    if (!on_) return;
    auto now = Clock::now();
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    text_ += fmt::format("{}{} {:.1f} ms (max RSS {} MiB)", text_.empty() ? "" : ", ", phase,
                         std::chrono::duration<double, std::milli>(now - last_).count(),
                         ru.ru_maxrss / 1024);
    last_ = now;
  }
  void Print(std::ostream& err) const {
    if (on_) err << "edgediag: timing: " << text_ << "\n";
  }

 private:
  using Clock = std::chrono::system_clock;
  bool on_ = false;
  Clock::time_point last_;
  std::string text_;
};

// The run's key salt, wiped when the run ends.
struct KeySalt {
  std::string value = NewKeySalt();
  KeySalt() = default;
  KeySalt(const KeySalt&) = delete;
  KeySalt& operator=(const KeySalt&) = delete;
  ~KeySalt() { explicit_bzero(value.data(), value.size()); }
};

bool UseColor(const std::string& mode) {
  if (mode == "always") return true;
  if (mode == "never") return false;
  const char* term = std::getenv("TERM");
  return isatty(STDOUT_FILENO) && std::getenv("NO_COLOR") == nullptr && term != nullptr &&
         std::string(term) != "dumb";
}

std::vector<Family> Families(const Options& o) {
  if (o.command == "dx") return {Family::kDx};
  if (o.command == "vpn") {
    if (o.ipsec && !o.wireguard) return {Family::kIpsec, Family::kNet};
    if (o.wireguard && !o.ipsec) return {Family::kWireguard, Family::kNet};
    return {Family::kIpsec, Family::kWireguard, Family::kNet};
  }
  return {Family::kDx, Family::kIpsec, Family::kWireguard, Family::kNet};
}

plugin::CaptureOptions CaptureFor(const Options& o) {
  plugin::CaptureOptions c = o.capture;
  // check --dx / --vpn narrow the capture as they narrow the report.
  bool check_all = o.command == "check" && o.check_dx == o.check_vpn;
  bool dx = o.command == "dx" || check_all || (o.command == "check" && o.check_dx);
  bool vpn = o.command == "vpn" || check_all || (o.command == "check" && o.check_vpn);
  c.frr = dx;
  c.neighbours = c.sockets = c.optics = dx;  // ARP, BGP's sockets and optics: DX only
  c.vici = vpn && !(o.wireguard && !o.ipsec);
  c.nftables = c.vici;
  c.xfrm = c.vici;
  c.wireguard = vpn && !(o.ipsec && !o.wireguard);
  return c;
}

// Reads the VIF descriptions, fingerprinting their keys under `salt`; an
// error is reported and recorded, and the rest of the diagnosis still runs.
std::string LoadVifs(const Options& o, Snapshot& s, std::string_view salt, bool from_snapshot,
                     int* code) {
  std::vector<plugin::Vif> vifs;
  std::vector<std::string> errors;
  *code = kExitDataError;
  std::vector<std::string> used;
  if (!o.vif_files.empty()) {
    for (const auto& f : o.vif_files) {
      auto r = plugin::ReadVifFile(f, salt);
      if (!r) {
        errors.push_back(r.error().what);
        if (r.error().code == Error::Code::kPermissionDenied) *code = kExitNoPermission;
        continue;
      }
      used.push_back(f);
      for (auto& v : *r) vifs.push_back(std::move(v));
    }
  } else if (from_snapshot) {
    return {};  // the snapshot carries the VIFs it was taken with
  } else {
    for (const auto& d : o.vif_dirs) {
      auto r = plugin::ReadVifDirectory(d, salt);
      if (!r) {
        errors.push_back(r.error().what);
        continue;
      }
      for (auto& v : *r) {
        bool dup = false;  // /config wins over /etc for the same VIF
        for (const auto& x : vifs) dup |= x.virtualInterfaceId == v.virtualInterfaceId;
        if (!dup) vifs.push_back(std::move(v));
      }
    }
  }
  s.vifs = std::move(vifs);
  // A loaded snapshot's fingerprints were made under a salt this run does
  // not have (and never takes from a file): keys read now cannot be
  // compared with them, only described.
  if (from_snapshot) plugin::ForgetFingerprints(s);
  if (!errors.empty()) {
    s.sources[plugin::kSourceVif] = {SourceState::kUnavailable, errors.front()};
    return errors.front();
  }
  s.sources[plugin::kSourceVif] = {SourceState::kOk,
                                   s.vifs.empty() ? "no VIF description: zero-config mode" : ""};
  return {};
}

}  // namespace

int ExitCodeForSources(const std::string& command, const Snapshot& s) {
  std::vector<const char*> needed;
  if (command == "dx")
    needed = {plugin::kSourceKernel, plugin::kSourceFrr};
  else
    needed = {plugin::kSourceVici, plugin::kSourceWireguard};
  bool any_ok = false, denied = false;
  for (const char* n : needed) {
    const auto& st = s.Source(n);
    any_ok |= st.state == SourceState::kOk;
    denied |= st.state == SourceState::kPermissionDenied;
  }
  if (command == "vpn" && any_ok) {
    // WireGuard "ok" with no interface and no strongSwan is still nothing.
    bool vici_ok = s.Source(plugin::kSourceVici).state == SourceState::kOk;
    if (!vici_ok && s.wireguard.empty()) any_ok = false;
  }
  if (any_ok) return kExitOk;
  return denied ? kExitNoPermission : kExitUnavailable;
}

namespace {

// Parses the command line into `o`. Returns the exit code when there is
// nothing more to do (help, version, --list-checks, a usage error).
std::optional<int> Parse(std::span<const char* const> args, Options& o, std::ostream& out,
                         std::ostream& err) {
  CLI::App app{
      "edgediag: why a link that looks up does not work (AWS Direct Connect, IPsec, "
      "WireGuard)",
      "edgediag"};
  app.set_version_flag("--version", std::string(EDGEDIAG_VERSION));
  bool list_checks = false;
  app.add_flag("--list-checks", list_checks, "print every check id with its description and exit");
  app.require_subcommand(0, 1);
  app.fallthrough();
  app.add_flag("--json", o.json, "machine-readable report (schema edgediag.report/1)");
  app.add_flag("--detail", o.detail, "add the raw evidence table");
  app.add_option("--color", o.color, "auto, always or never")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  app.add_option("--from-snapshot", o.from_snapshot,
                 "diagnose a saved snapshot instead of this router");
  app.add_option("--save-snapshot", o.save_snapshot, "save what was captured (secrets scrubbed)");
  app.add_option("--vici-socket", o.capture.vici_socket, "strongSwan VICI socket")
      ->capture_default_str();
  app.add_option("--frr-vty-dir", o.capture.frr_vty_dir,
                 "FRR vty socket directory (vtysh --vty_socket)");
  app.add_option("--timeout", o.capture.timeout_ms, "per-source timeout, milliseconds")
      ->capture_default_str()
      ->check(CLI::Range(100, 60000));
  app.add_option("--sample", o.sample,
                 "take a second snapshot after SECONDS and use counter deltas")
      ->check(CLI::Range(0.0, 300.0));
  app.add_option("--deadline", o.deadline,
                 "seconds for the whole run (capture, rules, render); --sample adds its pause")
      ->capture_default_str()
      ->check(CLI::Range(0.5, 3600.0));

  auto* dx = app.add_subcommand("dx", "why a Direct Connect BGP session will not come up");
  dx->add_option("--vif-file", o.vif_files, "describe-virtual-interfaces JSON (repeatable)");
  dx->add_option("--vif-dir", o.vif_dirs, "directories of VIF descriptions")->capture_default_str();
  dx->add_option("--interface", o.interface, "only the VIF on this interface");
  dx->add_option("--peer", o.peer, "only the VIF with this Amazon peer address");
  dx->add_flag("--probe", o.probe, "DF-set pings at 1500 and at the VIF MTU to the Amazon peer");
  auto* vpn =
      app.add_subcommand("vpn", "IPsec and WireGuard tunnels that are up but pass no traffic");
  vpn->add_flag("--ipsec", o.ipsec, "strongSwan only");
  vpn->add_flag("--wireguard", o.wireguard, "WireGuard only");
  vpn->add_option("--peer", o.peer, "connection name, peer public key or friendly name");
  auto* check = app.add_subcommand("check", "periodic self-check for Nagios/Prometheus/CloudWatch");
  check->add_option("--vif-file", o.vif_files, "describe-virtual-interfaces JSON (repeatable)");
  check->add_flag("--dx", o.check_dx, "Direct Connect only");
  check->add_flag("--vpn", o.check_vpn, "VPN only");
  check->add_option("--state", o.check.state_file, "state file of the previous run")
      ->capture_default_str();
  check->add_option("--prometheus", o.check.prometheus_file, "write a node_exporter textfile");
  check->add_option("--emf", o.check.emf_file, "write CloudWatch Embedded Metric Format lines");
  check->add_flag("!--no-syslog", o.check.syslog, "do not log state changes to syslog");

  std::vector<const char*> argv{"edgediag"};
  argv.insert(argv.end(), args.begin(), args.end());
  try {
    app.parse(static_cast<int>(argv.size()), const_cast<char**>(argv.data()));
  } catch (const CLI::CallForHelp&) {
    out << app.help();
    return kExitOk;
  } catch (const CLI::CallForAllHelp&) {
    out << app.help("", CLI::AppFormatMode::All);
    return kExitOk;
  } catch (const CLI::CallForVersion&) {
    out << "edgediag " << EDGEDIAG_VERSION << "\n";
    return kExitOk;
  } catch (const CLI::ParseError& e) {
    err << "edgediag: " << e.what() << " (see edgediag --help)\n";
    // check speaks Nagios whatever happens: a usage error is UNKNOWN.
    if (check->parsed()) return CheckUnknown(out, std::string("usage: ") + e.what());
    return kExitUsage;
  }
  if (list_checks) {
    for (const auto& r : plugin::AllRules()) out << r.id << "\t" << r.description << "\n";
    return kExitOk;
  }
  if (app.get_subcommands().empty()) {
    err << "edgediag: a command is required: dx, vpn or check (see edgediag --help)\n";
    return kExitUsage;
  }
  o.command = dx->parsed() ? "dx" : vpn->parsed() ? "vpn" : "check";
  if (o.check_dx || o.check_vpn) {
    o.check.dx = o.check_dx;
    o.check.vpn = o.check_vpn;
  }
  return std::nullopt;
}

// The router as observed: captured now (with the earlier point for counter
// deltas), or loaded from a saved snapshot.
struct Observed {
  Snapshot now;
  std::optional<Snapshot> previous;
};

// Fills `seen`; returns the exit code of a snapshot that cannot be loaded.
// Each source's timeout fits in what is left of the deadline, with a fifth
// kept for the rules and the render: a slow source is reported as such.
int Observe(const Options& o, Observed& seen, const Deadline& deadline, std::ostream& err) {
  if (!o.from_snapshot.empty()) {
    auto s = plugin::LoadSnapshot(o.from_snapshot);
    if (!s) {
      err << "edgediag: " << s.error().what << "\n";
      return s.error().code == Error::Code::kInvalidInput       ? kExitDataError
             : s.error().code == Error::Code::kPermissionDenied ? kExitNoPermission
                                                                : kExitUnavailable;
    }
    seen.now = std::move(*s);
    return kExitOk;
  }
  auto copts = CaptureFor(o);
  auto fit = [&](std::chrono::milliseconds pause) {
    auto left = (deadline.Remaining() - pause) * 4 / 5;
    copts.timeout_ms = static_cast<int>(
        std::clamp<std::int64_t>(left.count(), 100, o.capture.timeout_ms));
  };
  if (o.sample > 0) {
    auto pause = std::chrono::milliseconds(static_cast<int>(o.sample * 1000));
    fit(pause);
    seen.previous = plugin::Capture(copts);
    // The pause listens to charon's events (rekeys, SAs torn down and
    // re-established) instead of sleeping: evidence for the rules.
    auto events = plugin::WatchIpsecEvents(copts, pause);
    fit(std::chrono::milliseconds(0));
    seen.now = plugin::Capture(copts);
    seen.now.ipsec_events = std::move(events.events);
    if (events.status.state != SourceState::kNotCollected)
      seen.now.sources[plugin::kSourceViciEvents] = std::move(events.status);
  } else {
    fit(std::chrono::milliseconds(0));
    seen.now = plugin::Capture(copts);
  }
  // Without --sample, the last self-check's counters give the deltas
  // (DESIGN.md): instant, and only when that state is recent and ours.
  if (!seen.previous && o.command != "check")
    seen.previous = LoadRecentState(o.check.state_file, seen.now.hostname, seen.now.taken_at_ms,
                                    30 * 60 * 1000);
  return kExitOk;
}

// dx --probe: the DF pings, on a live router only.
void Probe(const Options& o, Snapshot& now) {
  if (!o.probe || o.command != "dx" || !o.from_snapshot.empty()) return;
  plugin::CaptureProbes(now, plugin::DxProbeTargets(now, {o.interface, o.peer}), o.capture);
}

// --save-snapshot; returns the exit code of a failed write.
int Save(const Options& o, const Snapshot& now, std::ostream& err) {
  if (o.save_snapshot.empty()) return kExitOk;
  // A saved snapshot travels (bug reports): it never holds the salt, so the
  // key fingerprints in it cannot be used to test guesses of the keys.
  auto r = plugin::SaveSnapshot(now, o.save_snapshot);
  if (r) return kExitOk;
  err << "edgediag: " << r.error().what << "\n";
  return r.error().code == Error::Code::kPermissionDenied ? kExitNoPermission : kExitUnavailable;
}

// The report-wide line when nothing could be examined.
std::optional<std::string> SourceNote(const Options& o, int source_code) {
  if (source_code != kExitUnavailable && source_code != kExitNoPermission) return std::nullopt;
  bool denied = source_code == kExitNoPermission;
  if (o.command == "vpn")
    return denied ? "Not permitted to read strongSwan or WireGuard: run as root (VyOS: the "
                    "op-mode command uses sudo)."
                  : "No VPN to examine: strongSwan is not running (no VICI socket at " +
                        o.capture.vici_socket + ") and there is no WireGuard interface.";
  return denied ? "Not permitted to read the kernel's state or FRR: run as root."
                : "Nothing to examine: neither the kernel's state nor FRR could be read.";
}

}  // namespace

// parse -> load inputs -> capture -> facts -> rules -> report -> render.
int Run(std::span<const char* const> args, std::ostream& out, std::ostream& err,
        const RunOptions& run) {
  PhaseTimes times;
  Options o;
  if (auto done = Parse(args, o, out, err)) return *done;
  times.Done("arguments");

  // From here on the process may hold key bytes (bgpd's sockets, VIF
  // files): no core dump may carry them.
  prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);

  // The key salt: made here, used for every key this run describes (the
  // kernel's and the VIF files'), and forgotten when the run ends. It is
  // never written anywhere, and never taken from a file.
  KeySalt salt;
  o.capture.key_salt = salt.value;

  Deadline deadline(std::chrono::milliseconds(static_cast<std::int64_t>((o.deadline + o.sample) * 1000)),
                    o.command == "check");
  deadline.Phase("capture");
  Observed seen;
  if (int code = Observe(o, seen, deadline, err); code != kExitOk)
    return o.command == "check" ? CheckUnknown(out, "cannot load the snapshot " + o.from_snapshot)
                                : code;
  Snapshot& now = seen.now;
  times.Done(o.from_snapshot.empty() ? "capture" : "load");

  std::string data_error;
  int data_code = kExitDataError;
  if (o.command != "vpn") data_error = LoadVifs(o, now, salt.value, !o.from_snapshot.empty(), &data_code);
  if (!data_error.empty()) err << "edgediag: " << data_error << "\n";
  Probe(o, now);
  int save_code = Save(o, now, err);

  deadline.Phase("rules and report");
  if (o.command == "check") {
    if (!data_error.empty()) o.check.input_errors.push_back(data_error);
    return RunCheck(o.check, std::move(now), out, err);
  }

  auto families = Families(o);
  times.Done("prepare");
  plugin::Facts facts(now, families);
  auto report = plugin::BuildReport(o.command, families, facts,
                                    seen.previous ? &*seen.previous : nullptr,
                                    {o.interface, o.peer});
  times.Done("rules and report");
  int source_code = ExitCodeForSources(o.command, now);
  if (auto note = SourceNote(o, source_code)) report.notes.push_back(std::move(*note));
  deadline.Phase("render");

  if (o.json)
    RenderJson(report, out);
  else
    out << RenderText(report, {UseColor(o.color), o.detail});
  out.flush();
  times.Done("render");
  times.Print(err);
  if (run.exit_after) {
    // Moved into objects never freed: the kernel takes the heap back at exit
    // in one piece (a hub's report is ~200,000 allocations).
    new plugin::Report(std::move(report));
    new Observed(std::move(seen));
  }

  if (!data_error.empty()) return data_code;
  return source_code != kExitOk ? source_code : save_code;
}

}  // namespace edgediag::opmode

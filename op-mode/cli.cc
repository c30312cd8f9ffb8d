#include "op-mode/cli.h"

#include <fmt/format.h>
#include <arpa/inet.h>
#include <dirent.h>
#include <signal.h>
#include <malloc.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/resource.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <ctime>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <thread>

#include "base/key_print.h"
#include "op-mode/check.h"
#include "op-mode/deadline.h"
#include "op-mode/operator_config.h"
#include "op-mode/explain.h"
#include "op-mode/render.h"
#include "op-mode/watch.h"
#include "plugin/capture.h"
#include "plugin/snapshot_json.h"
#include "plugin/vif_reader.h"
#include "plugin/vpn_probe.h"
#include "plugin/wg_config.h"

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
  std::vector<std::string> expect_up;  ///< vpn/check --expect-up: WireGuard peers meant to be up
  std::vector<std::string> probe_target_text;                      ///< vpn --probe-target
  std::vector<std::pair<std::string, std::string>> probe_targets;  ///< parsed: tunnel -> address
  double sample = 0;
  double deadline = 10;  ///< seconds for the whole run, --sample's pause added
  double watch = 0;     ///< dx/vpn --watch: seconds between captures; 0: no watch
  int watch_count = 0;  ///< --watch-count: stop after this many cycles; 0: when interrupted
  bool ipsec = false, wireguard = false;
  bool check_dx = false, check_vpn = false;
  std::string from_snapshot, save_snapshot;
  plugin::CaptureOptions capture;
  std::string config_file;  ///< --config; else edgediag.conf's default places
  std::string prefix_limit;  ///< --prefix-limit N, as typed
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

// Why `text` is not a number in [lo, hi] (empty when it is one). CLI11's
// Range says "Value abc not in range 0 to 300" for a word: say it is not a
// number.
std::string NumberError(const std::string& text, double lo, double hi, const char* unit,
                        double* value = nullptr) {
  const char* begin = text.c_str();
  char* end = nullptr;
  errno = 0;
  double v = std::strtod(begin, &end);
  if (text.empty() || end == begin || *end != '\0' || errno == ERANGE || !std::isfinite(v))
    return fmt::format("'{}' is not a number (give {}, {:g} to {:g})", text, unit, lo, hi);
  if (v < lo || v > hi)
    return fmt::format("{} is out of range ({} from {:g} to {:g})", text, unit, lo, hi);
  if (value != nullptr) *value = v;
  return {};
}

CLI::Validator NumberIn(double lo, double hi, const char* unit) {
  return CLI::Validator(
      [lo, hi, unit](std::string& text) { return NumberError(text, lo, hi, unit); },
      fmt::format("{:g} to {:g}", lo, hi));
}

// dx --peer: the Amazon peer address, IPv4 or IPv6, without a length.
CLI::Validator IpAddress() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        unsigned char buf[16];
        if (inet_pton(AF_INET, text.c_str(), buf) == 1 || inet_pton(AF_INET6, text.c_str(), buf) == 1)
          return {};
        return fmt::format("'{}' is not an IP address (give the Amazon peer address, e.g. "
                           "169.254.255.1 or 2001:db8:1::1, without a prefix length)",
                           text);
      },
      "ADDR");
}

bool UseColor(const std::string& mode) {
  if (mode == "always") return true;
  if (mode == "never") return false;
  const char* term = std::getenv("TERM");
  return isatty(STDOUT_FILENO) && std::getenv("NO_COLOR") == nullptr && term != nullptr &&
         std::string(term) != "dumb";
}

std::vector<Family> Families(const Options& o) {
  // net.* checks are about the host (rp_filter): they cover VIFs too.
  if (o.command == "dx") return {Family::kDx, Family::kNet};
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
      // One bad file (a FIFO, a half-saved JSON) must not hide the others.
      std::vector<Error> file_errors;
      auto r = plugin::ReadVifDirectory(d, salt, &file_errors);
      for (const auto& e : file_errors) {
        errors.push_back(e.what);
        if (e.code == Error::Code::kPermissionDenied) *code = kExitNoPermission;
      }
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
    // What was read is used; the files that were not are named (and the
    // run says so in its exit code), but the source is only unavailable
    // when nothing at all could be read.
    s.sources[plugin::kSourceVif] =
        s.vifs.empty() ? plugin::SourceStatus{SourceState::kUnavailable, errors.front()}
                       : plugin::SourceStatus{SourceState::kOk, "", errors};
    return errors.front();
  }
  s.sources[plugin::kSourceVif] = {SourceState::kOk,
                                   s.vifs.empty() ? "no VIF description: zero-config mode" : ""};
  return {};
}

// LoadVifs, done while the capture waits for vtysh (CaptureOptions::
// alongside) or, with no capture (a loaded snapshot), in Into(); Into()
// puts what it read into the captured snapshot.
class VifLoad {
 public:
  VifLoad(const Options& o, std::string_view salt)
      : o_(o), salt_(salt), wanted_(o.command != "vpn") {}

  void Load() {
    if (!wanted_ || loaded_) return;
    loaded_ = true;
    error_ = LoadVifs(o_, part_, salt_, !o_.from_snapshot.empty(), &code_);
  }

  std::string Into(Snapshot& s, int* code) {
    if (!wanted_) return {};
    Load();
    *code = code_;
    // Nothing read (a loaded snapshot carries its own VIFs): s stands.
    if (part_.sources.count(plugin::kSourceVif) == 0) return error_;
    s.vifs = std::move(part_.vifs);
    s.sources[plugin::kSourceVif] = std::move(part_.sources[plugin::kSourceVif]);
    // A loaded snapshot's fingerprints were made under a salt this run does
    // not have (and never takes from a file): keys read now cannot be
    // compared with them, only described.
    if (!o_.from_snapshot.empty()) plugin::ForgetFingerprints(s);
    return error_;
  }

 private:
  const Options& o_;
  std::string_view salt_;
  bool wanted_;
  bool loaded_ = false;
  Snapshot part_;
  std::string error_;
  int code_ = kExitDataError;
};

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

// --help's first line as in the README and the man page: global options
// before the command (they are accepted after it too).
class UsageFormatter : public CLI::Formatter {
 public:
  std::string make_usage(const CLI::App* app, std::string name) const override {
    if (app->get_parent() != nullptr) return CLI::Formatter::make_usage(app, std::move(name));
    return "Usage: edgediag [OPTIONS] COMMAND [COMMAND OPTIONS]\n"
           "  COMMAND: dx, vpn, check or explain ID; OPTIONS may also follow the command\n\n";
  }
};

// Parses the command line into `o`. Returns the exit code when there is
// nothing more to do (help, version, --list-checks, a usage error).
std::optional<int> Parse(std::span<const char* const> args, Options& o, std::ostream& out,
                         std::ostream& err) {
  CLI::App app{
      "edgediag: why a link that looks up does not work (AWS Direct Connect, IPsec, "
      "WireGuard)",
      "edgediag"};
  app.formatter(std::make_shared<UsageFormatter>());
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
  app.add_option("--wg-config-root", o.capture.wg_config_root,
                 "read WireGuard peer names under DIR (VyOS, wg-quick paths prefixed; tests)")
      ->group("");
  app.add_option("--wg-uapi-dir", o.capture.wg_uapi_dir,
                 "userspace WireGuard UAPI socket directory")
      ->capture_default_str();
  app.add_option("--timeout", o.capture.timeout_ms, "per-source timeout, milliseconds")
      ->capture_default_str()
      ->check(NumberIn(100, 60000, "milliseconds"));
  app.add_option("--sample", o.sample,
                 "take a second snapshot after SECONDS and use counter deltas")
      ->check(NumberIn(0, 300, "seconds"));
  app.add_option("--deadline", o.deadline,
                 "seconds for the whole run (capture, rules, render); --sample adds its pause")
      ->capture_default_str()
      ->check(NumberIn(0.5, 3600, "seconds"));
  app.add_option("--config", o.config_file,
                 "operator configuration file (default: /config/edgediag/edgediag.conf, else "
                 "/etc/edgediag/edgediag.conf)");
  auto prefix_limit_ok = [](const std::string& v) {
    return ParsePrefixLimit(v) ? std::string() : "a whole number from 1 to 1000000";
  };

  auto* dx = app.add_subcommand("dx", "why a Direct Connect BGP session will not come up");
  dx->add_option("--vif-file", o.vif_files, "describe-virtual-interfaces JSON (repeatable)");
  dx->add_option("--vif-dir", o.vif_dirs, "directories of VIF descriptions")->capture_default_str();
  dx->add_option("--interface", o.interface, "only the VIF on this interface");
  dx->add_option("--peer", o.peer, "only the VIF with this Amazon peer address")
      ->check(IpAddress());
  dx->add_flag("--probe", o.probe, "DF-set pings at 1500 and at the VIF MTU to the Amazon peer");
  dx->add_option("--prefix-limit", o.prefix_limit,
                 "prefixes AWS accepts per address family on every VIF (default: 100 private/"
                 "transit, 1000 public; overrides edgediag.conf)")
      ->check(prefix_limit_ok);
  std::string watch_text;
  auto add_watch = [&](CLI::App* cmd) {
    auto* w = cmd->add_option("--watch", watch_text,
                              "capture again every SECONDS (default 2) and print what changed, "
                              "until Ctrl-C")
                  ->expected(0, 1)
                  ->type_name("[SECONDS]");
    cmd->add_option("--watch-count", o.watch_count, "stop --watch after N cycles")
        ->check(NumberIn(1, 1e9, "cycles"))
        ->needs(w);
  };
  add_watch(dx);
  auto* vpn =
      app.add_subcommand("vpn", "IPsec and WireGuard tunnels that are up but pass no traffic");
  vpn->add_flag("--ipsec", o.ipsec, "strongSwan only");
  vpn->add_flag("--wireguard", o.wireguard, "WireGuard only");
  vpn->add_option("--peer", o.peer, "connection name, peer public key or friendly name");
  vpn->add_flag("--probe", o.probe,
                "three ICMP echoes through each healthy-looking tunnel (1 s per tunnel, in "
                "parallel)");
  vpn->add_option("--probe-target", o.probe_target_text,
                  "TUNNEL=ADDR: where --probe pings through a tunnel (peer key or name, "
                  "IFACE:KEY, interface, connection or CHILD SA name; repeatable)");
  vpn->add_option("--expect-up", o.expect_up,
                  "a WireGuard peer (key, name, IFACE:KEY) or interface that must be up: its "
                  "silence is a fault, not idleness (repeatable)");
  add_watch(vpn);
  std::string explain_id;
  auto* explain = app.add_subcommand(
      "explain", "what a check looks at, how to verify it by hand on VyOS and Linux, the fix");
  explain->add_option("ID", explain_id, "a check id (edgediag --list-checks)")->required();
  auto* check = app.add_subcommand("check", "periodic self-check for Nagios/Prometheus/CloudWatch");
  check->add_option("--vif-file", o.vif_files, "describe-virtual-interfaces JSON (repeatable)");
  check->add_option("--vif-dir", o.vif_dirs, "directories of VIF descriptions")->capture_default_str();
  check->add_flag("--dx", o.check_dx, "Direct Connect only");
  check->add_option("--prefix-limit", o.prefix_limit,
                    "prefixes AWS accepts per address family on every VIF")
      ->check(prefix_limit_ok);
  check->add_flag("--vpn", o.check_vpn, "VPN only");
  check->add_option("--expect-up", o.expect_up,
                    "a WireGuard peer or interface that must be up (repeatable)");
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
    err << "edgediag: a command is required: dx, vpn, check or explain (see edgediag --help)\n";
    return kExitUsage;
  }
  if (explain->parsed()) return RunExplain(explain_id, out, err);
  o.command = dx->parsed() ? "dx" : vpn->parsed() ? "vpn" : "check";
  for (const auto& t : o.probe_target_text) {
    std::string error;
    auto parsed = plugin::ParseProbeTarget(t, &error);
    if (!parsed) {
      err << "edgediag: --probe-target: " << error << " (see edgediag --help)\n";
      return kExitUsage;
    }
    o.probe_targets.push_back(std::move(*parsed));
  }
  if (o.check_dx || o.check_vpn) {
    o.check.dx = o.check_dx;
    o.check.vpn = o.check_vpn;
  }
  o.check.json = o.json;
  if ((dx->parsed() && dx->count("--watch") > 0) || (vpn->parsed() && vpn->count("--watch") > 0)) {
    o.watch = 2;
    if (!watch_text.empty())
      if (auto e = NumberError(watch_text, 0.01, 86400, "seconds", &o.watch); !e.empty()) {
        err << "edgediag: --watch: " << e << " (see edgediag --help)\n";
        return kExitUsage;
      }
  }
  // A replay is not this router's run: it keeps no state unless asked to.
  if (o.command == "check" && !o.from_snapshot.empty() && check->count("--state") == 0)
    o.check.state_file.clear();
  // A --vif-dir that is not there reads nothing: say so (the defaults may
  // well be missing, and are not named).
  if (dx->count("--vif-dir") > 0)
    for (const auto& d : o.vif_dirs) {
      struct stat st;
      if (stat(d.c_str(), &st) != 0)
        err << "edgediag: warning: --vif-dir " << d << ": " << std::strerror(errno)
            << "; no VIF description is read from it\n";
      else if (!S_ISDIR(st.st_mode))
        err << "edgediag: warning: --vif-dir " << d
            << ": not a directory; no VIF description is read from it\n";
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
int Observe(const Options& o, Observed& seen, const Deadline& deadline, std::ostream& err,
            bool use_state = true, std::function<void()> alongside = {}) {
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
  copts.alongside = std::move(alongside);  // the first capture runs it
  auto fit = [&](std::chrono::milliseconds pause) {
    auto left = (deadline.Remaining() - pause) * 4 / 5;
    copts.timeout_ms = static_cast<int>(
        std::clamp<std::int64_t>(left.count(), 100, o.capture.timeout_ms));
  };
  if (o.sample > 0) {
    auto pause = std::chrono::milliseconds(static_cast<int>(o.sample * 1000));
    fit(pause);
    seen.previous = plugin::Capture(copts);
    copts.alongside = nullptr;
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
  if (!seen.previous && o.command != "check" && use_state)
    seen.previous = LoadRecentState(o.check.state_file, seen.now.hostname, seen.now.taken_at_ms,
                                    30 * 60 * 1000);
  return kExitOk;
}

// dx --probe: the DF pings; vpn --probe: echoes through the tunnels. On a
// live router only.
void Probe(const Options& o, Snapshot& now) {
  if (!o.probe || !o.from_snapshot.empty()) return;
  if (o.command == "dx") {
    plugin::CaptureProbes(now, plugin::DxProbeTargets(now, {o.interface, o.peer}), o.capture);
  } else if (o.command == "vpn") {
    auto families = Families(o);
    bool wg = std::find(families.begin(), families.end(), Family::kWireguard) != families.end();
    bool ipsec = std::find(families.begin(), families.end(), Family::kIpsec) != families.end();
    std::vector<plugin::TunnelProbeTarget> targets;
    {
      plugin::Facts facts(now, families);
      targets = plugin::VpnProbeTargets(facts, o.probe_targets, wg, ipsec);
    }
    plugin::CaptureTunnelProbes(now, targets, o.capture);
  }
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

// One source of a snapshot for people: "vici unavailable (why)".
std::string DescribeSource(const Snapshot& s, const char* name) {
  const auto& st = s.Source(name);
  if (st.state == SourceState::kNotCollected) return fmt::format("{} not collected", name);
  return fmt::format("{} {}{}", name, plugin::SourceStateName(st.state),
                     st.reason.empty() ? "" : " (" + st.reason + ")");
}

// The report-wide line when nothing could be examined. A loaded snapshot
// is described by its own sources, never by this host's sockets.
std::optional<std::string> SourceNote(const Options& o, const Snapshot& s, int source_code) {
  if (source_code != kExitUnavailable && source_code != kExitNoPermission) return std::nullopt;
  if (!o.from_snapshot.empty()) {
    if (o.command == "vpn")
      return fmt::format("No VPN to examine in the snapshot: its sources say {}; {}{}.",
                         DescribeSource(s, plugin::kSourceVici),
                         DescribeSource(s, plugin::kSourceWireguard),
                         s.wireguard.empty() ? ", with no WireGuard interface" : "");
    return fmt::format("Nothing to examine in the snapshot: its sources say {}; {}.",
                       DescribeSource(s, plugin::kSourceKernel),
                       DescribeSource(s, plugin::kSourceFrr));
  }
  bool denied = source_code == kExitNoPermission;
  if (o.command == "vpn")
    return denied ? "Not permitted to read strongSwan or WireGuard: run as root (VyOS: the "
                    "op-mode command uses sudo)."
                  : "No VPN to examine: strongSwan is not running (no VICI socket at " +
                        o.capture.vici_socket + ") and there is no WireGuard interface.";
  return denied ? "Not permitted to read the kernel's state or FRR: run as root."
                : "Nothing to examine: neither the kernel's state nor FRR could be read.";
}

// --interface / --peer that matched nothing: say so, and name what there is
// (not "no peering found" when the peering is there under another name).
std::optional<std::string> FilterNote(const Options& o, const plugin::Report& report,
                                      std::span<const Family> families, const plugin::Facts& facts,
                                      const Snapshot* previous) {
  if (!report.subjects.empty() || (o.interface.empty() && o.peer.empty())) return std::nullopt;
  auto all = plugin::BuildReport(o.command, families, facts, previous);
  if (all.subjects.empty()) return std::nullopt;
  std::string filter = !o.interface.empty() ? "--interface " + o.interface : "";
  if (!o.peer.empty()) filter += (filter.empty() ? "" : " ") + ("--peer " + o.peer);
  std::vector<std::string> names;
  constexpr std::size_t kMaxListed = 20;
  for (const auto& sr : all.subjects) {
    if (names.size() == kMaxListed) {
      names.push_back(fmt::format("and {} more", all.subjects.size() - kMaxListed));
      break;
    }
    std::vector<std::string> where;
    if (!sr.subject.interface.empty() && sr.subject.interface != sr.subject.id)
      where.push_back(sr.subject.interface);
    if (!sr.subject.peer.empty() && sr.subject.peer != sr.subject.id)
      where.push_back(o.command == "dx" ? "peer " + sr.subject.peer : sr.subject.peer);
    if (!sr.subject.name.empty() && sr.subject.name != sr.subject.id) where.push_back(sr.subject.name);
    names.push_back(where.empty() ? sr.subject.id
                                  : fmt::format("{} ({})", sr.subject.id, fmt::join(where, ", ")));
  }
  return fmt::format("The filter {} matched none of the {} {}: {}.", filter, all.subjects.size(),
                     o.command == "dx" ? (all.subjects.size() == 1 ? "Direct Connect peering"
                                                                   : "Direct Connect peerings")
                                       : (all.subjects.size() == 1 ? "VPN subject" : "VPN subjects"),
                     fmt::join(names, "; "));
}

// SIGINT and SIGTERM end a watch. They are blocked while it runs (threads
// and helper programs started meanwhile inherit that) and taken between
// cycles with sigtimedwait, so that a capture is never cut in half.
class WatchSignals {
 public:
  WatchSignals() {
    sigemptyset(&set_);
    sigaddset(&set_, SIGINT);
    sigaddset(&set_, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set_, &old_);
    // A shell starts background commands with SIGINT ignored, and an
    // ignored signal is dropped, never queued: `kill -INT` would not end
    // the watch. Blocked, the default action never runs.
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    sigaction(SIGINT, &dfl, &old_int_);
    sigaction(SIGTERM, &dfl, &old_term_);
  }
  ~WatchSignals() {
    sigaction(SIGINT, &old_int_, nullptr);
    sigaction(SIGTERM, &old_term_, nullptr);
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  WatchSignals(const WatchSignals&) = delete;
  WatchSignals& operator=(const WatchSignals&) = delete;

  /// Waits at most `wait` for one of the signals: its number, or 0. The
  /// wall clock decides when the wait is over: sigtimedwait's own clock is
  /// the monotonic one, seen running ~30 times too fast in a QEMU TCG guest.
  int Wait(std::chrono::milliseconds wait) {
    auto until = std::chrono::system_clock::now() + wait;
    for (;;) {
      auto left = std::max<std::int64_t>(
          0, std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::system_clock::now())
                 .count());
      timespec ts{static_cast<time_t>(left / 1000), static_cast<long>(left % 1000) * 1000000};
      int sig = sigtimedwait(&set_, nullptr, &ts);
      if (sig > 0) return sig;
      if (left == 0) return 0;  // timed out, or interrupted, with no time left
    }
  }

 private:
  sigset_t set_, old_;
  struct sigaction old_int_ {}, old_term_ {};
};

// "11:40:02" (local time) for people, RFC 3339 UTC for --json.
std::string WatchTime(bool json) {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  char buf[32];
  if (json) {
    gmtime_r(&t, &tm);
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  } else {
    localtime_r(&t, &tm);
    std::strftime(buf, sizeof buf, "%H:%M:%S", &tm);
  }
  return buf;
}

// EDGEDIAG_DEBUG=watch: open fds and resident memory after each cycle, so
// that a test can see both stay flat.
void WatchDebug(std::ostream& err, int cycle) {
  int fds = 0;
  if (DIR* d = opendir("/proc/self/fd")) {
    while (dirent* e = readdir(d)) fds += e->d_name[0] != '.';
    closedir(d);
    --fds;  // the directory's own
  }
  long pages = 0, resident = 0;
  if (std::FILE* f = std::fopen("/proc/self/statm", "r")) {
    if (std::fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
    std::fclose(f);
  }
  err << fmt::format("edgediag: watch: cycle {}: {} fds, RSS {} KiB\n", cycle, fds,
                     resident * sysconf(_SC_PAGESIZE) / 1024);
}

// dx --watch / vpn --watch: the full diagnosis, then one timestamped line
// per change, every o.watch seconds, until Ctrl-C/SIGTERM (or
// --watch-count cycles); then one summary line, exit 0. --deadline holds
// for each cycle. Each cycle's counters are compared with the cycle before.
int Watch(const Options& o, std::string_view salt, std::ostream& out, std::ostream& err) {
  WatchSignals signals;
  const char* dbg = std::getenv("EDGEDIAG_DEBUG");
  const bool debug = dbg != nullptr && std::string_view(dbg).find("watch") != std::string_view::npos;
  const auto families = Families(o);
  const auto period = std::chrono::milliseconds(static_cast<std::int64_t>(o.watch * 1000));
  const auto started = std::chrono::system_clock::now();
  std::optional<Snapshot> last;
  std::optional<WatchState> state;
  std::map<std::string, int> summary;
  int cycles = 0, changes = 0, signal = 0;
  auto line = [&](const std::string& text) {
    if (o.json)
      out << nlohmann::json{{"time", WatchTime(true)}, {"change", text}}.dump(
                 -1, ' ', false, nlohmann::json::error_handler_t::replace)
          << "\n";
    else
      out << WatchTime(false) << " " << Printable(text) << "\n";
  };
  for (;;) {
    const auto cycle_start = std::chrono::system_clock::now();
    {
      Deadline deadline(
          std::chrono::milliseconds(static_cast<std::int64_t>((o.deadline + o.sample) * 1000)),
          false);
      deadline.Phase("capture");
      const bool first = !state.has_value();
      Observed seen;
      if (int code = Observe(o, seen, deadline, err, first); code != kExitOk) {
        if (first) return code;
        // A snapshot file being replaced: the next cycle reads it again.
      } else {
        Snapshot& now = seen.now;
        if (o.command == "dx") {
          int data_code = kExitDataError;
          std::string data_error = LoadVifs(o, now, salt, !o.from_snapshot.empty(), &data_code);
          if (first && !data_error.empty()) err << "edgediag: " << data_error << "\n";
        }
        Probe(o, now);
        if (first || !o.save_snapshot.empty()) Save(o, now, err);
        const Snapshot* previous = last ? &*last : seen.previous ? &*seen.previous : nullptr;
        deadline.Phase("rules and report");
        WatchState next;
        {
          plugin::Facts facts(now, families);
          auto report = plugin::BuildReport(o.command, families, facts, previous,
                                            {o.interface, o.peer});
          next = MakeWatchState(report, now, state ? &*state : nullptr,
                                std::chrono::duration_cast<std::chrono::milliseconds>(
                                    std::chrono::system_clock::now().time_since_epoch())
                                    .count(),
                                std::max<std::int64_t>(kCounterQuietMs, 3 * period.count()));
          summary = plugin::Summary(report);
          deadline.Phase("render");
          if (first) {
            int source_code = ExitCodeForSources(o.command, now);
            if (auto note = SourceNote(o, now, source_code)) report.notes.push_back(std::move(*note));
            if (auto note = FilterNote(o, report, families, facts, previous))
              report.notes.push_back(std::move(*note));
            if (o.json) {
              RenderJson(report, out);
            } else {
              out << RenderText(report, {UseColor(o.color), o.detail});
              out << fmt::format("\nWatching every {:g} s; one line per change, Ctrl-C to stop.\n",
                                 o.watch);
            }
          }
        }
        if (!first)
          for (const auto& c : WatchChanges(*state, next)) {
            line(c);
            ++changes;
          }
        out.flush();
        state = std::move(next);
        last = std::move(now);
      }
    }
    ++cycles;
    if (debug) WatchDebug(err, cycles);
    if (o.watch_count > 0 && cycles >= o.watch_count) break;
    auto spent = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::system_clock::now() - cycle_start);
    if ((signal = signals.Wait(std::max(period - spent, std::chrono::milliseconds(0)))) != 0) break;
  }
  double seconds =
      std::chrono::duration<double>(std::chrono::system_clock::now() - started).count();
  std::string why = signal == SIGINT    ? "interrupted"
                    : signal == SIGTERM ? "terminated"
                                        : fmt::format("after {} cycles", cycles);
  std::string end = fmt::format(
      "watch ended ({}): {} cycles in {:.0f} s, {} changes; now {} critical, {} warning, {} ok, "
      "{} unknown",
      why, cycles, seconds, changes, summary["critical"], summary["warning"], summary["ok"],
      summary["unknown"]);
  line(end);
  out.flush();
  return kExitOk;
}

}  // namespace

void TuneMallocForOneRun() {
  mallopt(M_TOP_PAD, 16 << 20);
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
  mallopt(M_MMAP_THRESHOLD, 64 << 20);
}

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

  // The operator's configuration: a bad line is named (file, line, key)
  // and the run goes on without the file; the exit code says so.
  std::string config_error;
  int config_code = kExitDataError;
  OperatorConfig config;
  if (auto c = ReadOperatorConfig(o.config_file)) {
    config = std::move(*c);
  } else {
    config_error = c.error().what;
    if (c.error().code == Error::Code::kPermissionDenied) config_code = kExitNoPermission;
    err << "edgediag: " << config_error << "\n";
  }
  // The file's expect-up and probe-target lines add to the command line's.
  o.expect_up.insert(o.expect_up.end(), config.expect_up.begin(), config.expect_up.end());
  for (const auto& [tunnel, address] : config.probe_targets) {
    std::string error;
    if (auto parsed = plugin::ParseProbeTarget(tunnel + "=" + address, &error))
      o.probe_targets.push_back(std::move(*parsed));
    else if (config_error.empty())
      config_error = config.path + ": probe-target " + tunnel + ": " + error;
  }

  // The key salt: made here, used for every key this run describes (the
  // kernel's and the VIF files'), and forgotten when the run ends. It is
  // never written anywhere, and never taken from a file.
  KeySalt salt;
  o.capture.key_salt = salt.value;
  if (o.watch > 0) return Watch(o, salt.value, out, err);

  Deadline deadline(std::chrono::milliseconds(static_cast<std::int64_t>((o.deadline + o.sample) * 1000)),
                    o.command == "check");
  deadline.Phase("capture");
  // The VIF files are read, and their keys described, while the capture
  // waits for vtysh: on 200 VIFs the keys' fingerprints cost as much as
  // parsing FRR's answer (bench/dx-bench.sh).
  VifLoad vif_load(o, salt.value);
  Observed seen;
  if (int code = Observe(o, seen, deadline, err, true, [&vif_load] { vif_load.Load(); });
      code != kExitOk)
    return o.command == "check" ? CheckUnknown(out, "cannot load the snapshot " + o.from_snapshot)
                                : code;
  Snapshot& now = seen.now;
  times.Done(o.from_snapshot.empty() ? "capture" : "load");
  // The operator's word on which WireGuard peers must be up (names of IPsec
  // connections are for the IPsec rules and match no peer here).
  if (!o.expect_up.empty()) {
    (void)plugin::MarkExpectedUp(now.wireguard, o.expect_up);
    if (seen.previous) (void)plugin::MarkExpectedUp(seen.previous->wireguard, o.expect_up);
  }

  int data_code = kExitDataError;
  std::string data_error = vif_load.Into(now, &data_code);
  if (!data_error.empty()) err << "edgediag: " << data_error << "\n";
  ApplyPrefixLimits(config, ParsePrefixLimit(o.prefix_limit), now.vifs);
  if (data_error.empty() && !config_error.empty()) {
    data_error = config_error;
    data_code = config_code;
  }
  Probe(o, now);
  int save_code = Save(o, now, err);

  deadline.Phase("rules and report");
  if (o.command == "check") {
    if (!data_error.empty()) o.check.input_errors.push_back(data_error);
    if (!config_error.empty() && config_error != data_error)
      o.check.input_errors.push_back(config_error);
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
  if (auto note = SourceNote(o, now, source_code)) report.notes.push_back(std::move(*note));
  if (auto note = FilterNote(o, report, families, facts, seen.previous ? &*seen.previous : nullptr))
    report.notes.push_back(std::move(*note));
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

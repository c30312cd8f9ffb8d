#include "op-mode/check.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fmt/format.h>
#include <map>
#include <nlohmann/json.hpp>
#include <ostream>
#include <sstream>

#include "base/atomic_file.h"
#include "op-mode/metrics.h"
#include "op-mode/render.h"
#include "plugin/snapshot_json.h"

namespace edgediag::opmode {
namespace {

using nlohmann::json;
using plugin::Severity;

Error SysError(const std::string& what, const std::string& path, int err) {
  return MakeError(CodeFromErrno(err), fmt::format("cannot {} {}: {}", what, path, std::strerror(err)));
}

std::string DirName(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

// The state file's directory must exist, but for the package's own (one
// named "edgediag", as /var/lib/edgediag, under a parent that exists),
// created 0700 when missing: a mistyped --state must not leave a trail of
// directories behind.
Result<void> EnsureStateDirectory(const std::string& path) {
  const std::string dir = DirName(path);
  struct stat st;
  if (stat(dir.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) return {};
    return MakeError(Error::Code::kIo, fmt::format("cannot write {}: {} is not a directory", path, dir));
  }
  if (errno != ENOENT) return SysError("use directory", dir, errno);
  auto missing = [&](const std::string& d) {
    return MakeError(Error::Code::kUnavailable,
                     fmt::format("cannot write {}: directory {} does not exist (only the package's "
                                 "own state directory, such as {}, is created; create it first)",
                                 path, d, DirName(kDefaultStateFile)));
  };
  const bool ours = dir.size() >= 9 && dir.compare(dir.size() - 9, 9, "/edgediag") == 0;
  if (!ours) return missing(dir);
  if (mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    if (errno == ENOENT) return missing(DirName(dir));
    return SysError("create directory", dir, errno);
  }
  return {};
}

int Priority(Severity s) {
  switch (s) {
    case Severity::kCritical: return LOG_ERR;
    case Severity::kWarning: return LOG_WARNING;
    default: return LOG_NOTICE;
  }
}

bool IsProblem(Severity s) { return s >= Severity::kUnknown; }

// Syslog lines come from daemon- and configuration-supplied names: one line,
// printable, bounded.
std::string Clean(std::string line) {
  for (char& c : line)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  constexpr std::size_t kMax = 480;
  if (line.size() > kMax) line = line.substr(0, kMax) + "...";
  return line;
}

// The worst severity a subject reports for one check id (a rule may report
// the same id twice, e.g. for two sockets).
std::map<std::string, Severity> Problems(const SubjectState& s) {
  std::map<std::string, Severity> m;
  for (const auto& [id, sev] : s.findings)
    if (IsProblem(sev)) m[id] = std::max(m[id], sev);
  return m;
}

void DiffBgp(const plugin::Snapshot& before, const plugin::Snapshot& now,
             std::vector<StateChange>& out) {
  auto name = [](const plugin::BgpNeighbor& b) {
    return fmt::format("BGP peer {} (vrf {})", b.address, b.vrf);
  };
  auto reset = [](const plugin::BgpNeighbor& b) {
    return b.lastResetDueTo.empty() ? std::string() : ", last reset: " + b.lastResetDueTo;
  };
  for (const auto& b : now.bgp_neighbors) {
    const plugin::BgpNeighbor* p = nullptr;
    for (const auto& x : before.bgp_neighbors)
      if (x.address == b.address && x.vrf == b.vrf) p = &x;
    if (p == nullptr) continue;
    bool was_up = p->bgpState == "Established", is_up = b.bgpState == "Established";
    if (was_up && !is_up)
      out.push_back({LOG_WARNING, fmt::format("{}: Established -> {}{}", name(b), b.bgpState, reset(b))});
    else if (!was_up && is_up)
      out.push_back({LOG_NOTICE, fmt::format("{}: {} -> Established", name(b), p->bgpState)});
    else if (is_up && b.connectionsDropped > p->connectionsDropped)
      out.push_back({LOG_WARNING, fmt::format("{}: dropped {} time(s) since the last check, "
                                              "Established again{}",
                                              name(b), b.connectionsDropped - p->connectionsDropped,
                                              reset(b))});
  }
  for (const auto& p : before.bgp_neighbors) {
    if (p.bgpState != "Established") continue;
    bool present = false;
    for (const auto& b : now.bgp_neighbors) present |= b.address == p.address && b.vrf == p.vrf;
    if (!present && !now.bgp_neighbors.empty())
      out.push_back({LOG_WARNING, fmt::format("{}: gone (was Established)", name(p))});
  }
}

json StateToJson(const CheckState& state) {
  json subjects = json::array();
  for (const auto& s : state.subjects) {
    json findings = json::array();
    for (const auto& [id, sev] : s.findings)
      findings.push_back({{"id", id}, {"severity", plugin::SeverityName(sev)}});
    subjects.push_back({{"kind", s.kind},
                        {"id", s.id},
                        {"verdict", plugin::SeverityName(s.verdict)},
                        {"findings", findings}});
  }
  return {{"schema", kStateSchema},
          {"snapshot", plugin::SnapshotToJson(state.snapshot)},
          {"subjects", subjects}};
}

// Discards state-change lines (check --no-syslog).
class NullSink : public SyslogSink {
 public:
  void Log(int, const std::string&) override {}
};

}  // namespace

std::string StatusWord(int code) {
  static const char* kWords[] = {"OK", "WARNING", "CRITICAL", "UNKNOWN"};
  return kWords[code >= 0 && code <= 3 ? code : 3];
}

int CheckUnknown(std::ostream& out, std::string_view why) {
  std::string text = Clean(std::string(why));
  std::replace(text.begin(), text.end(), '|', '/');
  out << "EDGEDIAG UNKNOWN: " << text << "\n";
  return kNagiosUnknown;
}

RealSyslog::RealSyslog() { openlog("edgediag", LOG_PID, LOG_DAEMON); }
RealSyslog::~RealSyslog() { closelog(); }
void RealSyslog::Log(int priority, const std::string& line) {
  // Never a format string: the line holds names from outside.
  syslog(priority, "%s", line.c_str());
}

CheckState StateFromReport(const plugin::Report& report, plugin::Snapshot snapshot) {
  // The state file is kept on disk and may be copied: with no fingerprint
  // in it, it cannot be used to test guesses of a key offline. Nothing
  // reads a previous run's fingerprints.
  plugin::ForgetFingerprints(snapshot);
  CheckState state{.snapshot = std::move(snapshot)};
  for (const auto& sr : report.subjects) {
    SubjectState s{.kind = plugin::SubjectKindName(sr.subject.kind),
                   .id = sr.subject.id,
                   .verdict = sr.verdict};
    for (const auto& f : sr.findings) s.findings.emplace_back(f.id, f.severity);
    state.subjects.push_back(std::move(s));
  }
  return state;
}

Result<void> SaveCheckState(const CheckState& state, const std::string& path) {
  auto dir = EnsureStateDirectory(path);
  if (!dir) return dir;
  return WriteFileAtomically(
      path, StateToJson(state).dump(1, ' ', false, json::error_handler_t::replace) + "\n", 0600);
}

std::optional<plugin::Snapshot> LoadState(const std::string& path) {
  auto s = LoadCheckState(path);
  if (!s) return std::nullopt;
  return std::move(s->snapshot);
}

std::optional<plugin::Snapshot> LoadRecentState(const std::string& path, std::string_view hostname,
                                                std::int64_t now_ms, std::int64_t max_age_ms) {
  auto s = LoadState(path);
  if (!s) return std::nullopt;
  if (!hostname.empty() && !s->hostname.empty() && s->hostname != hostname) return std::nullopt;
  if (s->taken_at_ms > now_ms || now_ms - s->taken_at_ms > max_age_ms) return std::nullopt;
  return s;
}

std::vector<StateChange> DiffStates(const CheckState* previous, const CheckState& now) {
  std::vector<StateChange> out;
  auto subject = [](const SubjectState& s) { return s.kind + " " + s.id; };
  auto find = [&](const SubjectState& s) -> const SubjectState* {
    if (previous == nullptr) return nullptr;
    for (const auto& p : previous->subjects)
      if (p.kind == s.kind && p.id == s.id) return &p;
    return nullptr;
  };
  for (const auto& s : now.subjects) {
    const SubjectState* p = find(s);
    auto was = p ? Problems(*p) : std::map<std::string, Severity>{};
    auto is = Problems(s);
    if (p == nullptr && previous != nullptr)
      out.push_back({Priority(s.verdict),
                     fmt::format("{}: new subject, {}", subject(s), plugin::SeverityName(s.verdict))});
    if (p != nullptr && p->verdict != s.verdict)
      out.push_back({Priority(s.verdict),
                     fmt::format("{}: {} -> {}", subject(s), plugin::SeverityName(p->verdict),
                                 plugin::SeverityName(s.verdict))});
    // In the subject's ranked order: the likeliest cause is logged first.
    for (const auto& [id, _] : s.findings) {
      auto it = is.find(id);
      if (it == is.end()) continue;
      Severity sev = it->second;
      is.erase(it);  // once per id
      auto w = was.find(id);
      if (w == was.end())
        out.push_back({Priority(sev), fmt::format("{}: {} appeared ({})", subject(s), id,
                                                  plugin::SeverityName(sev))});
      else if (w->second != sev)
        out.push_back({Priority(sev),
                       fmt::format("{}: {} {} -> {}", subject(s), id,
                                   plugin::SeverityName(w->second), plugin::SeverityName(sev))});
    }
    auto now_problems = Problems(s);
    for (const auto& [id, sev] : was)
      if (!now_problems.contains(id))
        out.push_back({LOG_NOTICE, fmt::format("{}: {} cleared (was {})", subject(s), id,
                                               plugin::SeverityName(sev))});
  }
  if (previous != nullptr) {
    for (const auto& p : previous->subjects) {
      bool present = false;
      for (const auto& s : now.subjects) present |= s.kind == p.kind && s.id == p.id;
      if (!present)
        out.push_back({LOG_NOTICE, fmt::format("{}: gone (was {})", subject(p),
                                               plugin::SeverityName(p.verdict))});
    }
    DiffBgp(previous->snapshot, now.snapshot, out);
  }
  for (auto& c : out) c.line = Clean(std::move(c.line));
  return out;
}

int RunCheck(const CheckOptions& options, plugin::Snapshot now, std::ostream& out,
             std::ostream& err) {
  if (options.syslog) {
    RealSyslog sink;
    return RunCheck(options, std::move(now), out, err, sink);
  }
  NullSink sink;
  return RunCheck(options, std::move(now), out, err, sink);
}

int RunCheck(const CheckOptions& options, plugin::Snapshot now, std::ostream& out,
             std::ostream& err, SyslogSink& sink) {
  using plugin::Family;
  std::vector<Family> families;
  if (options.dx) families.push_back(Family::kDx);
  if (options.vpn)
    families.insert(families.end(), {Family::kIpsec, Family::kWireguard, Family::kNet});

  std::optional<CheckState> previous;
  if (!options.state_file.empty()) {
    auto p = LoadCheckState(options.state_file);
    if (p) {
      // A state copied from another router says nothing about this one.
      if (p->snapshot.hostname.empty() || now.hostname.empty() ||
          p->snapshot.hostname == now.hostname)
        previous = std::move(*p);
    } else if (p.error().code != Error::Code::kUnavailable) {
      err << "edgediag: ignoring the previous state: " << p.error().what << "\n";
    }
  }
  auto report = plugin::BuildReport("check", families, now, previous ? &previous->snapshot : nullptr);

  auto sum = plugin::Summary(report);
  int code = sum["critical"]  ? kNagiosCritical
             : sum["warning"] ? kNagiosWarning
             : sum["unknown"] ? kNagiosUnknown
                              : kNagiosOk;
  std::string first;
  int others = 0;
  for (const auto& s : report.subjects) {
    if (s.verdict == Severity::kOk || s.verdict == Severity::kInfo) continue;
    if (first.empty())
      first = fmt::format(": {} {}", s.subject.id, s.findings.empty() ? "" : s.findings.front().id);
    else
      ++others;
  }
  if (others > 0) first += fmt::format(" (+{} more)", others);
  if (report.subjects.empty() && now.Source(plugin::kSourceKernel).state != plugin::SourceState::kOk) {
    code = kNagiosUnknown;
    first = ": nothing could be examined (kernel source " +
            plugin::SourceStateName(now.Source(plugin::kSourceKernel).state) + ")";
  }
  // A source it was not allowed to read leaves part of the router unseen
  // (WireGuard peers, MD5 keys, XFRM states): never "OK" then.
  if (code == kNagiosOk) {
    for (const auto& [name, status] : now.sources) {
      if (status.state != plugin::SourceState::kPermissionDenied) continue;
      code = kNagiosUnknown;
      first = ": not permitted to read " + name + " (" + status.reason + ")";
      break;
    }
  }

  std::vector<std::string> write_errors;
  if (!options.prometheus_file.empty()) {
    auto r = WriteFileAtomically(options.prometheus_file, RenderPrometheus(report, now), 0644);
    if (!r) write_errors.push_back(r.error().what);
  }
  if (!options.emf_file.empty()) {
    auto r = AppendToFile(options.emf_file, RenderEmf(report, now), 0640);
    if (!r) write_errors.push_back(r.error().what);
  }

  CheckState state = StateFromReport(report, std::move(now));
  for (const auto& c : DiffStates(previous ? &*previous : nullptr, state)) sink.Log(c.priority, c.line);
  if (!options.state_file.empty()) {
    auto r = SaveCheckState(state, options.state_file);
    if (!r) write_errors.push_back(r.error().what);
  }

  for (const auto& e : write_errors) err << "edgediag: " << e << "\n";
  // A VIF file that cannot be read leaves part of the router unchecked.
  if (!options.input_errors.empty() && code != kNagiosCritical) {
    code = kNagiosUnknown;
    first = ": " + options.input_errors.front();
  }
  // A check that cannot keep its outputs is not "OK": the next run would
  // miss the changes, and the metrics would go stale unnoticed.
  if (!write_errors.empty() && code == kNagiosOk) {
    code = kNagiosUnknown;
    first = ": " + Clean(write_errors.front());
  }
  // check --json: the report itself, for scripts; the exit code stays Nagios'.
  if (options.json) {
    RenderJson(report, out);
    return code;
  }
  // '|' starts the perfdata in the Nagios plugin format.
  std::string text = Clean(first);
  std::replace(text.begin(), text.end(), '|', '/');
  out << fmt::format("EDGEDIAG {}{} | critical={} warning={} ok={} unknown={}\n", StatusWord(code),
                     text, sum["critical"], sum["warning"], sum["ok"], sum["unknown"]);
  return code;
}

}  // namespace edgediag::opmode

#include "op-mode/check.h"

#include <fmt/format.h>

#include <ostream>

#include "plugin/report.h"
#include "plugin/snapshot_json.h"

namespace edgediag::opmode {

std::optional<plugin::Snapshot> LoadState(const std::string& path) {
  auto s = plugin::LoadSnapshot(path);
  if (!s) return std::nullopt;
  return std::move(*s);
}

int RunCheck(const CheckOptions& options, plugin::Snapshot now, std::ostream& out,
             std::ostream& err) {
  using plugin::Family;
  std::vector<Family> families;
  if (options.dx) families.push_back(Family::kDx);
  if (options.vpn)
    families.insert(families.end(), {Family::kIpsec, Family::kWireguard, Family::kNet});
  auto previous = LoadState(options.state_file);
  auto report = plugin::BuildReport("check", families, now, previous ? &*previous : nullptr);
  auto sum = plugin::Summary(report);
  int code = sum["critical"]  ? kNagiosCritical
             : sum["warning"] ? kNagiosWarning
             : sum["unknown"] ? kNagiosUnknown
                              : kNagiosOk;
  const char* word[] = {"OK", "WARNING", "CRITICAL", "UNKNOWN"};
  std::string first;
  for (const auto& s : report.subjects)
    if (s.verdict != plugin::Severity::kOk) {
      first = fmt::format(": {} {}", s.subject.id, s.findings.front().id);
      break;
    }
  out << fmt::format("EDGEDIAG {}{} | critical={} warning={} ok={} unknown={}\n", word[code], first,
                     sum["critical"], sum["warning"], sum["ok"], sum["unknown"]);
  if (!options.state_file.empty()) {
    auto r = plugin::SaveSnapshot(now, options.state_file);
    if (!r) err << "edgediag: " << r.error().what << "\n";
  }
  return code;
}

}  // namespace edgediag::opmode

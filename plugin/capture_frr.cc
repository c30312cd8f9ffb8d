// FRR through vtysh: the same JSON an operator would read, with a deadline.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "plugin/capture.h"
#include "plugin/frr_json.h"
#include "plugin/capture_run.h"

namespace edgediag::plugin {
namespace {

std::string FirstLine(std::string s) {
  auto nl = s.find('\n');
  if (nl != std::string::npos) s.resize(nl);
  return s;
}

}  // namespace

void CaptureFrr(Snapshot& snapshot, const CaptureOptions& options) {
  std::vector<std::string> argv{options.vtysh};
  if (!options.frr_vty_dir.empty()) argv.insert(argv.end(), {"--vty_socket", options.frr_vty_dir});
  argv.insert(argv.end(), {"-c", "show bgp vrf all neighbors json"});
  auto r = RunProgram(argv, std::chrono::milliseconds(options.timeout_ms), 64u << 20);
  SourceStatus& st = snapshot.sources[kSourceFrr];
  if (!r) {
    st = {r.error().code == Error::Code::kPermissionDenied ? SourceState::kPermissionDenied
                                                           : SourceState::kUnavailable,
          r.error().code == Error::Code::kUnavailable ? r.error().what + " (is FRR installed?)"
                                                      : r.error().what};
    return;
  }
  if (r->exit_code != 0 || r->out.find('{') == std::string::npos) {
    std::string why = FirstLine(r->err.empty() ? r->out : r->err);
    // vtysh's words vary with version and locale; the socket's answer does
    // not: bgpd's vty socket belongs to frr:frrvty.
    std::string vty = (options.frr_vty_dir.empty() ? std::string("/run/frr") : options.frr_vty_dir) +
                      "/bgpd.vty";
    bool denied = ::faccessat(AT_FDCWD, vty.c_str(), R_OK | W_OK, AT_EACCESS) != 0 &&
                  errno == EACCES;
    st = {denied ? SourceState::kPermissionDenied : SourceState::kUnavailable,
          "vtysh: " + (why.empty() ? "exit " + std::to_string(r->exit_code) : why) +
              (denied ? " (run as root or in group frrvty)" : "")};
    return;
  }
  // vtysh may print daemon warnings before the JSON document.
  auto neighbors = ParseFrrNeighbors(std::string_view(r->out).substr(r->out.find('{')));
  if (!neighbors) {
    st = {SourceState::kUnavailable, neighbors.error().what};
    return;
  }
  snapshot.bgp_neighbors = std::move(*neighbors);
  st = {SourceState::kOk, ""};
}

}  // namespace edgediag::plugin

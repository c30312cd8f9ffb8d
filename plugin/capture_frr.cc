// FRR through vtysh: the same JSON an operator would read, with a deadline.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>

#include <fmt/format.h>

#include "plugin/capture.h"
#include "plugin/frr_json.h"
#include "plugin/capture_run.h"
#include "plugin/dx_match.h"
#include "plugin/ip.h"

namespace edgediag::plugin {
namespace {

std::string FirstLine(std::string s) {
  auto nl = s.find('\n');
  if (nl != std::string::npos) s.resize(nl);
  return s;
}

// At most this many neighbours get their routes read, and this many routes
// each: a Direct Connect VIF carries at most 100 (private) or 1,000
// (public) prefixes each way unless AWS raised the limit.
constexpr std::size_t kMaxRouteNeighbors = 256;
constexpr std::size_t kMaxRoutesEach = 10000;

// "ipv4Unicast" -> "ipv4 unicast"; "" for families the dx rules do not read.
std::string AfiWords(const std::string& afi) {
  if (afi == "ipv4Unicast") return "ipv4 unicast";
  if (afi == "ipv6Unicast") return "ipv6 unicast";
  return {};
}

// What the dx rules look at beyond the counters, read only for Established
// neighbours that look like Direct Connect's (link-local, or an Amazon AS):
// the best paths learnt from them (dx.route.not-installed, rp_filter) and,
// on public addresses (public VIFs), the prefixes advertised to them
// (dx.bgp.unapproved-prefix). All in one vtysh, read-only `show` commands.
void CaptureNeighborRoutes(Snapshot& snapshot, const CaptureOptions& options,
                           std::chrono::milliseconds budget) {
  static const Prefix kLinkLocal4 = *ParsePrefix("169.254.0.0/16");
  static const Prefix kLinkLocal6 = *ParsePrefix("fe80::/10");
  struct Ask {
    BgpAddressFamily* af;
    bool advertised;  ///< else the neighbour's best paths
    std::optional<std::uint32_t> peer_as;
  };
  std::vector<Ask> asks;
  std::vector<std::string> argv{options.vtysh};
  if (!options.frr_vty_dir.empty()) argv.insert(argv.end(), {"--vty_socket", options.frr_vty_dir});
  std::size_t neighbors = 0;
  for (auto& b : snapshot.bgp_neighbors) {
    if (b.bgpState != "Established") continue;
    auto a = ParseAddress(b.address);
    if (!a) continue;
    bool link_local = kLinkLocal4.Contains(*a) || kLinkLocal6.Contains(*a);
    if (!link_local && !(b.remoteAs && IsAmazonAsn(*b.remoteAs))) continue;
    if (++neighbors > kMaxRouteNeighbors) break;
    for (auto& af : b.addressFamilyInfo) {
      std::string words = AfiWords(af.afi);
      if (words.empty()) continue;
      std::string base = fmt::format("show bgp vrf {} {} neighbors {} ", b.vrf, words, b.address);
      if (af.acceptedPrefixCounter.value_or(0) > 0) {
        argv.insert(argv.end(), {"-c", base + "routes json"});
        asks.push_back({&af, false, b.remoteAs});
      }
      // What is advertised: on a public VIF (public addresses) for the
      // approved list, and where FRR's count could be only AWS's own routes
      // sent back (no more sent than accepted) for "nothing of ours sent".
      std::uint64_t sent = af.sentPrefixCounter.value_or(0);
      if (sent > 0 && (!link_local || sent <= af.acceptedPrefixCounter.value_or(0))) {
        argv.insert(argv.end(), {"-c", base + "advertised-routes json"});
        asks.push_back({&af, true, b.remoteAs});
      }
    }
  }
  if (asks.empty()) return;
  SourceStatus& st = snapshot.sources[kSourceFrr];
  if (budget.count() < 50) {
    st.warnings.push_back("no time left to read the Direct Connect neighbours' routes");
    return;
  }
  auto r = RunProgram(argv, budget, 64u << 20);
  if (!r || r->exit_code != 0) {
    st.warnings.push_back("vtysh: the Direct Connect neighbours' routes could not be read: " +
                          (r ? FirstLine(r->err.empty() ? r->out : r->err) : r.error().what));
    return;
  }
  auto docs = SplitJsonDocuments(r->out);
  if (docs.size() != asks.size()) {
    st.warnings.push_back(fmt::format(
        "vtysh: {} answers to {} route queries: the neighbours' routes are left out",
        docs.size(), asks.size()));
    return;
  }
  for (std::size_t i = 0; i < asks.size(); ++i) {
    if (asks[i].advertised) {
      if (auto adv = ParseFrrAdvertisedRoutes(docs[i], kMaxRoutesEach, asks[i].peer_as))
        asks[i].af->advertisedRoutes = std::move(*adv);
      else
        st.warnings.push_back(adv.error().what);
    } else {
      if (auto best = ParseFrrBestRoutes(docs[i], kMaxRoutesEach))
        asks[i].af->bestRoutes = std::move(*best);
      else
        st.warnings.push_back(best.error().what);
    }
  }
}

}  // namespace

void CaptureFrr(Snapshot& snapshot, const CaptureOptions& options) {
  // The wall clock: in a QEMU TCG guest steady_clock was seen running fast.
  auto started = std::chrono::system_clock::now();
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
  auto spent = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::system_clock::now() - started);
  CaptureNeighborRoutes(snapshot, options, std::chrono::milliseconds(options.timeout_ms) - spent);
}

}  // namespace edgediag::plugin

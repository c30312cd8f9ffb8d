// The nftables collector: the source-NAT rules (nat chains on postrouting)
// from `nft -j list ruleset`, parsed by ParseNftRuleset (nft_json.h).
#include <fmt/format.h>

#include <fstream>
#include <string>

#include "netlink/sock_diag.h"
#include "plugin/capture.h"
#include "plugin/capture_run.h"
#include "plugin/nft_json.h"

namespace edgediag::plugin {
namespace {

// A full router ruleset in JSON is a few MiB at most; more is not nft.
constexpr std::size_t kMaxNftOutput = std::size_t{64} * 1024 * 1024;

// Rules of iptables-legacy live outside nftables, where nft cannot show them.
bool LegacyNatTablePresent() {
  std::ifstream in("/proc/net/ip_tables_names");
  std::string name;
  while (in >> name) {
    if (name == "nat") return true;
  }
  return false;
}

}  // namespace

void CaptureNftables(Snapshot& snapshot, const CaptureOptions& options) {
  auto run = RunProgram({"nft", "-j", "list", "ruleset"},
                        std::chrono::milliseconds(options.timeout_ms), kMaxNftOutput);
  if (!run) {
    const Error& e = run.error();
    if (e.code == Error::Code::kUnavailable) {
      snapshot.sources[kSourceNftables] = {SourceState::kUnavailable,
                                           "nft not found: nftables is not installed"};
    } else if (e.code == Error::Code::kPermissionDenied) {
      snapshot.sources[kSourceNftables] = {SourceState::kPermissionDenied,
                                           "run as root (sudo): " + e.what};
    } else {
      snapshot.sources[kSourceNftables] = {SourceState::kUnavailable, e.what};
    }
    return;
  }
  if (run->exit_code != 0) {
    std::string err = run->err.substr(0, run->err.find('\n'));
    // Listing the ruleset needs CAP_NET_ADMIN: without it nft fails with
    // EPERM, whatever its message says in this locale or version.
    if (!netlink::HaveNetAdmin()) {
      snapshot.sources[kSourceNftables] = {SourceState::kPermissionDenied,
                                           "run as root (sudo): nft: " + err};
    } else {
      snapshot.sources[kSourceNftables] = {
          SourceState::kUnavailable, fmt::format("nft exited with {}: {}", run->exit_code, err)};
    }
    return;
  }
  auto rules = ParseNftRuleset(run->out);
  if (!rules) {
    snapshot.sources[kSourceNftables] = {SourceState::kUnavailable, rules.error().what};
    return;
  }
  snapshot.nat_rules = std::move(*rules);
  SourceStatus ok{SourceState::kOk, ""};
  if (LegacyNatTablePresent()) {
    ok.reason = "an iptables-legacy nat table exists; its rules are not examined";
  }
  snapshot.sources[kSourceNftables] = ok;
}

}  // namespace edgediag::plugin

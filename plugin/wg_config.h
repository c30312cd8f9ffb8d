// Where operators keep what the kernel does not: friendly names of WireGuard
// peers and whether a peer's endpoint is configured or only learned. Read
// from VyOS's active configuration tree (/opt/vyatta/config/active), else
// /config/config.boot, and from wg-quick files (/etc/wireguard/IFACE.conf,
// `# Name = ...` comments). These files hold private keys: their lines are
// looked at one by one, a key line is passed over without being copied, and
// every line read is wiped.
#pragma once

#include <map>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/result.h"
#include "plugin/snapshot.h"

namespace edgediag::plugin {

struct WgConfigPeer {
  std::string name;
  bool endpoint = false;  ///< an endpoint (address / host-name / Endpoint) is configured
};

struct WgConfigInterface {
  std::string source;  ///< the file or tree the interface's peers came from
  std::unordered_map<std::string, WgConfigPeer> peers;  ///< by public key
};

/// Interface name -> what its configuration says.
using WgConfig = std::map<std::string, WgConfigInterface>;

struct WgConfigPaths {
  std::string vyos_active = "/opt/vyatta/config/active";
  std::string vyos_boot = "/config/config.boot";
  std::string wg_quick = "/etc/wireguard";
  /// Prefixes every path above (tests, the lab): "" on a router.
  static WgConfigPaths Under(const std::string& root);
};

/// VyOS's active tree: interfaces/wireguard/IFACE/peer/NAME/{public-key,
/// pubkey (1.3), address, host-name}/node.val. kUnavailable when absent.
Result<WgConfig> ReadVyosActiveTree(const std::string& dir);
/// A VyOS config.boot (`interfaces { wireguard wg0 { peer NAME { public-key
/// "..." } } }`). kUnavailable when absent.
Result<WgConfig> ReadVyosConfigBoot(const std::string& path);
/// One wg-quick file; the interface is the file's name without ".conf".
Result<WgConfigInterface> ReadWgQuickFile(const std::string& path);

/// Every source, VyOS first (the active tree, else config.boot), then the
/// wg-quick files for interfaces VyOS does not name. Unreadable files are
/// skipped with a line in `warnings`.
WgConfig ReadWireguardConfig(const WgConfigPaths& paths, std::vector<std::string>* warnings);

/// Names the peers and marks configured endpoints; sets WgInterface::config.
void ApplyWireguardConfig(const WgConfig& config, std::vector<WgInterface>& interfaces);

/// Marks the peers `names` designate as expected up (--expect-up): a public
/// key, a friendly name, "IFACE:KEY", or an interface name for all its
/// peers. Returns the names that matched no WireGuard peer or interface.
std::vector<std::string> MarkExpectedUp(std::vector<WgInterface>& interfaces,
                                        std::span<const std::string> names);

}  // namespace edgediag::plugin

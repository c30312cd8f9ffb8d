// The ipsec.*, wg.* and net.* rule functions (registered in rules_ipsec.cc
// and rules_wg.cc), the VPN subjects and what "ok" means for them. Each
// check returns findings of its own id only. Sources: FACTS.md "WireGuard",
// "strongSwan VICI", "Tunnel up, no traffic", "Kernel signals".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "plugin/finding.h"
#include "plugin/ip.h"
#include "plugin/snapshot.h"

namespace edgediag::plugin {

// ipsec.* (rules_ipsec.cc)
std::vector<Finding> CheckIpsecDaemonUnreachable(const Snapshot& s, const Snapshot* previous);
std::vector<Finding> CheckIpsecIkeDown(const Snapshot& s, const Snapshot* previous);
std::vector<Finding> CheckIpsecIkeDuplicate(const Snapshot& s, const Snapshot* previous);
std::vector<Finding> CheckIpsecChildMissing(const Snapshot& s, const Snapshot* previous);
std::vector<Finding> CheckIpsecTrafficOneWay(const Snapshot& s, const Snapshot* previous);
std::vector<Finding> CheckIpsecSnatBeforePolicy(const Snapshot& s, const Snapshot* previous);
std::vector<Finding> CheckIpsecNoEncap(const Snapshot& s, const Snapshot* previous);
std::vector<Finding> CheckIpsecPolicyMissing(const Snapshot& s, const Snapshot* previous);
std::vector<Finding> CheckIpsecRouteMissing(const Snapshot& s, const Snapshot* previous);
std::vector<Finding> CheckIpsecVtiDown(const Snapshot& s, const Snapshot* previous);
std::vector<Finding> CheckIpsecMtu(const Snapshot& s, const Snapshot* previous);

// wg.* and net.* (rules_wg.cc)
std::vector<Finding> CheckWgModuleMissing(const Snapshot& s, const Snapshot* previous);
std::vector<Finding> CheckWgInterfaceDown(const Snapshot& s, const Snapshot* previous);
std::vector<Finding> CheckWgHandshakeNever(const Snapshot& s, const Snapshot* previous);
std::vector<Finding> CheckWgHandshakeStale(const Snapshot& s, const Snapshot* previous);
std::vector<Finding> CheckWgTrafficOneWay(const Snapshot& s, const Snapshot* previous);
std::vector<Finding> CheckWgEndpointMissing(const Snapshot& s, const Snapshot* previous);
std::vector<Finding> CheckWgKeepaliveNat(const Snapshot& s, const Snapshot* previous);
std::vector<Finding> CheckWgAllowedIpsOverlap(const Snapshot& s, const Snapshot* previous);
std::vector<Finding> CheckWgAllowedIpsUnrouted(const Snapshot& s, const Snapshot* previous);
std::vector<Finding> CheckWgMtu(const Snapshot& s, const Snapshot* previous);
std::vector<Finding> CheckNetRpFilterStrict(const Snapshot& s, const Snapshot* previous);

/// One subject per configured connection and per IKE SA's connection.
std::vector<Subject> IpsecSubjects(const Snapshot& s);
/// One subject per WireGuard interface and one per peer ("wg0:KEY").
std::vector<Subject> WireguardSubjects(const Snapshot& s);
/// ipsec.ok for a connection: what was checked, with its values. Like
/// WireguardOk, it leaves the finding's subject empty (BuildReport files it).
Finding IpsecOk(const Snapshot& s, const Subject& subject);
/// WireGuard interfaces and peers by subject, in O(1): built once per report
/// so that the ok findings of 100,000 peers stay linear.
class WireguardLookup {
 public:
  explicit WireguardLookup(const Snapshot& s);
  const WgInterface* FindInterface(std::string_view name) const;
  const WgPeer* FindPeer(std::string_view ifname, std::string_view public_key) const;

 private:
  // Keys are views into the snapshot: no copies of 100,000 keys.
  struct Entry {
    const WgInterface* interface = nullptr;
    std::unordered_map<std::string_view, const WgPeer*> peers;
  };
  std::unordered_map<std::string_view, Entry> interfaces_;
};
/// wg.ok for an interface or a peer: what was checked, with its values.
Finding WireguardOk(const Snapshot& s, const WireguardLookup& lookup, const Subject& subject);

// Shared by the VPN rules (rules_ipsec.cc).

/// The router itself: host-wide findings (daemon, module, counters).
Subject HostSubject(const Snapshot& s);
/// The subject of a connection, as IpsecSubjects() names it.
Subject ConnectionSubject(const Snapshot& s, std::string_view name);
/// Growth of a cumulative /proc counter (TcpExt, IpExt or xfrm_stat) since
/// `previous`; a counter that went down (reboot) counts from zero. nullopt
/// without a previous value.
std::optional<std::uint64_t> CounterDelta(const Snapshot& now, const Snapshot* previous,
                                          std::string_view name);
/// The current value of such a counter, if present.
std::optional<std::uint64_t> CounterValue(const Snapshot& s, std::string_view name);
/// Seconds between two snapshots (at least 1).
std::int64_t WindowSeconds(const Snapshot& now, const Snapshot& previous);
/// RFC 1918, RFC 6598 (CGNAT 100.64/10) and RFC 4193 (fc00::/7) addresses.
bool IsPrivateAddress(const Prefix& p);
/// "148 B", "12.3 KiB", "4.5 MiB".
std::string FormatBytes(std::uint64_t bytes);
/// "45 s", "7 min", "3 h", "12 days".
std::string FormatAge(std::int64_t seconds);
/// An address to try `ip route get` with: the prefix's first host.
std::string SampleHost(const Prefix& p);

}  // namespace edgediag::plugin

// The dx.* rule functions, registered in rules.cc. Each returns findings of
// its own id only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "plugin/dx_match.h"
#include "plugin/facts.h"
#include "plugin/finding.h"
#include "plugin/snapshot.h"

namespace edgediag::plugin {

/// A session up for under 30 s may not have had its UPDATEs yet, nor zebra
/// installed what they brought: what depends on AWS's routes waits. An
/// unknown uptime counts as settled.
bool BgpSettled(const BgpNeighbor& b);

std::vector<Finding> CheckLinkDown(const Facts& facts, const Snapshot& s, const Snapshot* previous);
std::vector<Finding> CheckOpticsLow(const Facts& facts, const Snapshot& s, const Snapshot* previous);
std::vector<Finding> CheckVlanMismatch(const Facts& facts, const Snapshot& s, const Snapshot* previous);
std::vector<Finding> CheckVlanUntagged(const Facts& facts, const Snapshot& s, const Snapshot* previous);
std::vector<Finding> CheckVlanQinq(const Facts& facts, const Snapshot& s, const Snapshot* previous);
std::vector<Finding> CheckVlanShared(const Facts& facts, const Snapshot& s, const Snapshot* previous);
/// dx.ip.*: the one finding of how the router's address relates to the VIF's.
std::vector<Finding> CheckIp(const Facts& facts, const Snapshot& s, const Snapshot* previous);
std::vector<Finding> CheckArpUnresolved(const Facts& facts, const Snapshot& s, const Snapshot* previous);
/// dx.md5.*: the one classifier of how the router's key relates to the
/// VIF's (mismatch, whitespace, non-ascii, missing, unexpected), and too-long.
std::vector<Finding> CheckMd5(const Facts& facts, const Snapshot& s, const Snapshot* previous);
std::vector<Finding> CheckAsnLocal(const Facts& facts, const Snapshot& s, const Snapshot* previous);
std::vector<Finding> CheckAsnRemote(const Facts& facts, const Snapshot& s, const Snapshot* previous);
std::vector<Finding> CheckAsnPrivateOnPublic(const Facts& facts, const Snapshot& s, const Snapshot* previous);
std::vector<Finding> CheckMtuMismatch(const Facts& facts, const Snapshot& s, const Snapshot* previous);
std::vector<Finding> CheckMtuInvalidForType(const Facts& facts, const Snapshot& s, const Snapshot* previous);
std::vector<Finding> CheckMtuParentSmaller(const Facts& facts, const Snapshot& s, const Snapshot* previous);
std::vector<Finding> CheckMtuPath(const Facts& facts, const Snapshot& s, const Snapshot* previous);
std::vector<Finding> CheckBgpState(const Facts& facts, const Snapshot& s, const Snapshot* previous);
std::vector<Finding> CheckBgpPrefixLimit(const Facts& facts, const Snapshot& s, const Snapshot* previous);
std::vector<Finding> CheckBgpMultihop(const Facts& facts, const Snapshot& s, const Snapshot* previous);
std::vector<Finding> CheckBgpFlapping(const Facts& facts, const Snapshot& s, const Snapshot* previous);
std::vector<Finding> CheckBgpPolicyRequired(const Facts& facts, const Snapshot& s, const Snapshot* previous);
std::vector<Finding> CheckBgpNoRoutesReceived(const Facts& facts, const Snapshot& s, const Snapshot* previous);
std::vector<Finding> CheckBgpNoRoutesAdvertised(const Facts& facts, const Snapshot& s, const Snapshot* previous);
std::vector<Finding> CheckBgpUnapprovedPrefix(const Facts& facts, const Snapshot& s, const Snapshot* previous);
std::vector<Finding> CheckRouteNotInstalled(const Facts& facts, const Snapshot& s, const Snapshot* previous);
/// The kernel table a peering's routes belong in: its interface's (a VRF's
/// table), else main (254).
std::uint32_t PeeringTable(const Snapshot& s, const DxPeering& p);
/// dx.bgp.notification: the last NOTIFICATION decoded, when no more specific id names it.
std::vector<Finding> CheckBgpNotification(const Facts& facts, const Snapshot& s, const Snapshot* previous);
/// dx.bgp.timers: hold/keepalive AWS refuses, BFD below 300 ms x 3, BFD with graceful restart.
std::vector<Finding> CheckBgpTimers(const Facts& facts, const Snapshot& s, const Snapshot* previous);
std::vector<Finding> CheckVifReadable(const Facts& facts, const Snapshot& s, const Snapshot* previous);
std::vector<Finding> CheckResilienceSingleVif(const Facts& facts, const Snapshot& s, const Snapshot* previous);

/// A NOTIFICATION as FRR recorded it for a neighbour's last reset.
struct BgpNotification {
  enum Direction { kUnknown, kReceived, kSent };
  int code = 0, subcode = 0;
  Direction direction = kUnknown;
  std::optional<std::uint64_t> age_ms;  ///< lastResetTimerMsecs
};
/// The last NOTIFICATION of a neighbour (lastErrorCodeSubcode), if any.
std::optional<BgpNotification> LastNotification(const BgpNeighbor& b);
/// "4/0 Hold Timer Expired, received from the peer, 3 min ago".
Evidence NotificationEvidence(const BgpNeighbor& b, const BgpNotification& n);
/// "42 s ago", "3 min ago", "2 h 5 min ago", "age unknown".
std::string DescribeAge(std::optional<std::uint64_t> ms);

/// Zero-config (no VIF): the dx.asn.local-mismatch (`local`) or
/// dx.asn.remote-mismatch that a 2/2 Bad Peer AS NOTIFICATION proves —
/// received: AWS refused the router's AS; sent: the router refused AWS's.
std::optional<Finding> ZeroConfigAsn(const DxPeering& p, bool local);

/// Zero-config (no VIF): TCP-MD5 counters rising (needs `previous`) while
/// the session sits in Connect/Active: dx.md5.mismatch when the router holds
/// a key, dx.md5.missing when it holds none and signed segments arrive.
std::optional<Finding> ZeroConfigMd5(const Snapshot& s, const DxPeering& p, const Snapshot* previous);

/// Zero-config (no VIF): a sub-interface MTU that no VIF type offers (AWS:
/// 1500, 8500, 9001): dx.mtu.mismatch as a warning, saying what was assumed.
std::optional<Finding> ZeroConfigMtu(const Snapshot& s, const DxPeering& p);

/// Whether FRR holds the peering Established.
bool Established(const DxPeering& p);
/// "VyOS `show ip bgp neighbors ADDR`; Linux `vtysh -c 'show bgp neighbors ADDR'`".
std::string ShowNeighbor(const DxPeering& p);
/// "VyOS: `show interfaces ethernet eth1 vif 101`; Linux: `ip -d link show dev eth1.101`"
std::string ShowInterface(const Snapshot& s, const Interface& i);
/// The VyOS path the VIF's sub-interface should have.
std::string ExpectedPath(const Snapshot& s, const DxPeering& p);

}  // namespace edgediag::plugin

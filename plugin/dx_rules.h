// The dx.* rule functions, registered in rules.cc. Each returns findings of
// its own id only.
#pragma once

#include <string>
#include <vector>

#include "plugin/dx_match.h"
#include "plugin/facts.h"
#include "plugin/finding.h"
#include "plugin/snapshot.h"

namespace edgediag::plugin {

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
std::vector<Finding> CheckVifReadable(const Facts& facts, const Snapshot& s, const Snapshot* previous);
std::vector<Finding> CheckResilienceSingleVif(const Facts& facts, const Snapshot& s, const Snapshot* previous);

/// Whether FRR holds the peering Established.
bool Established(const DxPeering& p);
/// "VyOS `show ip bgp neighbors ADDR`; Linux `vtysh -c 'show bgp neighbors ADDR'`".
std::string ShowNeighbor(const DxPeering& p);
/// "VyOS: `show interfaces ethernet eth1 vif 101`; Linux: `ip -d link show dev eth1.101`"
std::string ShowInterface(const Snapshot& s, const Interface& i);
/// The VyOS path the VIF's sub-interface should have.
std::string ExpectedPath(const Snapshot& s, const DxPeering& p);

}  // namespace edgediag::plugin

// The dx.* rule functions, registered in rules.cc. Each returns findings of
// its own id only.
#pragma once

#include <string>
#include <vector>

#include "plugin/dx_match.h"
#include "plugin/finding.h"
#include "plugin/snapshot.h"

namespace edgediag::plugin {

std::vector<Finding> CheckLinkDown(const Snapshot& s, const Snapshot* previous);
std::vector<Finding> CheckOpticsLow(const Snapshot& s, const Snapshot* previous);
std::vector<Finding> CheckVlanMismatch(const Snapshot& s, const Snapshot* previous);
std::vector<Finding> CheckVlanUntagged(const Snapshot& s, const Snapshot* previous);
std::vector<Finding> CheckVlanQinq(const Snapshot& s, const Snapshot* previous);
std::vector<Finding> CheckVlanShared(const Snapshot& s, const Snapshot* previous);
std::vector<Finding> CheckIpMissing(const Snapshot& s, const Snapshot* previous);
std::vector<Finding> CheckIpWrongAddress(const Snapshot& s, const Snapshot* previous);
std::vector<Finding> CheckIpWrongPrefix(const Snapshot& s, const Snapshot* previous);
std::vector<Finding> CheckIpSwapped(const Snapshot& s, const Snapshot* previous);
std::vector<Finding> CheckArpUnresolved(const Snapshot& s, const Snapshot* previous);
std::vector<Finding> CheckMd5Mismatch(const Snapshot& s, const Snapshot* previous);
std::vector<Finding> CheckMd5Whitespace(const Snapshot& s, const Snapshot* previous);
std::vector<Finding> CheckMd5NonAscii(const Snapshot& s, const Snapshot* previous);
std::vector<Finding> CheckMd5TooLong(const Snapshot& s, const Snapshot* previous);
std::vector<Finding> CheckMd5Missing(const Snapshot& s, const Snapshot* previous);
std::vector<Finding> CheckMd5Unexpected(const Snapshot& s, const Snapshot* previous);
std::vector<Finding> CheckAsnLocal(const Snapshot& s, const Snapshot* previous);
std::vector<Finding> CheckAsnRemote(const Snapshot& s, const Snapshot* previous);
std::vector<Finding> CheckAsnPrivateOnPublic(const Snapshot& s, const Snapshot* previous);
std::vector<Finding> CheckMtuMismatch(const Snapshot& s, const Snapshot* previous);
std::vector<Finding> CheckMtuInvalidForType(const Snapshot& s, const Snapshot* previous);
std::vector<Finding> CheckMtuParentSmaller(const Snapshot& s, const Snapshot* previous);
std::vector<Finding> CheckMtuPath(const Snapshot& s, const Snapshot* previous);
std::vector<Finding> CheckBgpState(const Snapshot& s, const Snapshot* previous);
std::vector<Finding> CheckBgpPrefixLimit(const Snapshot& s, const Snapshot* previous);
std::vector<Finding> CheckBgpMultihop(const Snapshot& s, const Snapshot* previous);
std::vector<Finding> CheckBgpFlapping(const Snapshot& s, const Snapshot* previous);
std::vector<Finding> CheckResilienceSingleVif(const Snapshot& s, const Snapshot* previous);

/// "VyOS: `show interfaces ethernet eth1 vif 101`; Linux: `ip -d link show dev eth1.101`"
std::string ShowInterface(const Snapshot& s, const Interface& i);
/// The VyOS path the VIF's sub-interface should have.
std::string ExpectedPath(const Snapshot& s, const DxPeering& p);

}  // namespace edgediag::plugin

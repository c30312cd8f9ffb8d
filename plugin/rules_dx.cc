// The dx.* catalogue. Ids are API: add, never rename.
#include "plugin/dx_rules.h"
#include "plugin/rules.h"

namespace edgediag::plugin {
namespace {

constexpr Rule kDxRules[] = {
    {"dx.link.down", Family::kDx, "parent port admin-down or without carrier", CheckLinkDown},
    {"dx.link.optics-low", Family::kDx, "receive optical power below the module's alarm",
     CheckOpticsLow},
    {"dx.vlan.mismatch", Family::kDx,
     "the VIF's address sits on a sub-interface with another VLAN id", CheckVlanMismatch},
    {"dx.vlan.untagged", Family::kDx, "the VIF's address is on the untagged physical port",
     CheckVlanUntagged},
    {"dx.vlan.qinq", Family::kDx, "802.1ad or stacked tags toward the VIF (AWS: 802.1Q only)",
     CheckVlanQinq},
    {"dx.vlan.shared", Family::kDx, "the VIF's sub-interface also carries other networks",
     CheckVlanShared},
    {"dx.ip.missing", Family::kDx, "no router address in the VIF's peer subnet", CheckIpMissing},
    {"dx.ip.wrong-address", Family::kDx,
     "a router address in the peer subnet that is not the VIF's", CheckIpWrongAddress},
    {"dx.ip.wrong-prefix", Family::kDx, "the customer address with another prefix length",
     CheckIpWrongPrefix},
    {"dx.ip.swapped", Family::kDx, "the router holds the Amazon address", CheckIpSwapped},
    {"dx.arp.unresolved", Family::kDx, "ARP/ND for the Amazon peer is FAILED or INCOMPLETE",
     CheckArpUnresolved},
};

}  // namespace

std::span<const Rule> DxRules() { return kDxRules; }

}  // namespace edgediag::plugin

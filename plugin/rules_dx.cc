// The dx.* catalogue. Ids are API: add, never rename. The dx.md5.* ids
// after the first are yielded by its classifier (CheckMd5): one finding per
// peering for the one question of how the keys relate. Likewise dx.ip.*
// (CheckIp): how the router's address relates to the VIF's.
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
    {"dx.ip.missing", Family::kDx, "no router address in the VIF's peer subnet", CheckIp},
    {"dx.ip.wrong-address", Family::kDx,
     "a router address in the peer subnet that is not the VIF's", nullptr},
    {"dx.ip.wrong-prefix", Family::kDx, "the customer address with another prefix length",
     nullptr},
    {"dx.ip.swapped", Family::kDx, "the router holds the Amazon address", nullptr},
    {"dx.arp.unresolved", Family::kDx, "ARP/ND for the Amazon peer is FAILED or INCOMPLETE",
     CheckArpUnresolved},
    {"dx.md5.mismatch", Family::kDx, "the kernel's MD5 key bytes differ from the VIF authKey",
     CheckMd5},
    {"dx.md5.whitespace", Family::kDx, "the keys differ only by leading/trailing white space",
     nullptr},
    {"dx.md5.non-ascii", Family::kDx, "invisible or look-alike characters in a key",
     nullptr},
    {"dx.md5.too-long", Family::kDx, "the VIF authKey is over 80 bytes", nullptr},
    {"dx.md5.missing", Family::kDx, "the VIF has a key, the router none", nullptr},
    {"dx.md5.unexpected", Family::kDx, "the router has a key, the VIF none", nullptr},
    {"dx.asn.local-mismatch", Family::kDx, "the router's AS differs from the VIF asn", CheckAsnLocal},
    {"dx.asn.remote-mismatch", Family::kDx, "configured remote-as differs from amazonSideAsn",
     CheckAsnRemote},
    {"dx.asn.private-on-public", Family::kDx, "a private customer ASN on a public VIF",
     CheckAsnPrivateOnPublic},
    {"dx.mtu.mismatch", Family::kDx, "sub-interface MTU differs from the VIF mtu", CheckMtuMismatch},
    {"dx.mtu.invalid-for-type", Family::kDx, "an MTU AWS does not offer for the VIF type",
     CheckMtuInvalidForType},
    {"dx.mtu.parent-smaller", Family::kDx, "the parent port's MTU is below the sub-interface's",
     CheckMtuParentSmaller},
    {"dx.mtu.path", Family::kDx, "probe: DF ping at the VIF MTU fails where 1500 passes",
     CheckMtuPath},
    {"dx.bgp.prefix-limit", Family::kDx, "more prefixes than the VIF type allows, or Cease 6/1",
     CheckBgpPrefixLimit},
    {"dx.bgp.multihop", Family::kDx, "multihop/update-source toward a directly connected peer",
     CheckBgpMultihop},
    {"dx.bgp.flapping", Family::kDx, "established, then dropped (hold timer: MTU)", CheckBgpFlapping},
    {"dx.bgp.state", Family::kDx, "the BGP state and what it implies", CheckBgpState},
    {"dx.bgp.policy-required", Family::kDx,
     "Established, but ebgp-requires-policy discards everything: no policy (\"(Policy)\")",
     CheckBgpPolicyRequired},
    {"dx.bgp.no-routes-received", Family::kDx, "Established, 0 prefixes accepted from AWS",
     CheckBgpNoRoutesReceived},
    {"dx.bgp.no-routes-advertised", Family::kDx, "Established, 0 prefixes sent to AWS",
     CheckBgpNoRoutesAdvertised},
    {"dx.bgp.unapproved-prefix", Family::kDx,
     "public VIF: a prefix sent outside the VIF's routeFilterPrefixes", CheckBgpUnapprovedPrefix},
    {"dx.route.not-installed", Family::kDx,
     "a prefix learnt from AWS is not in the kernel's table, or another route shadows it",
     CheckRouteNotInstalled},
    {"dx.bgp.notification", Family::kDx,
     "the last NOTIFICATION, decoded: what its code, subcode and direction prove",
     CheckBgpNotification},
    {"dx.bgp.timers", Family::kDx,
     "hold/keepalive AWS refuses, BFD under 300 ms x 3, or BFD with graceful restart",
     CheckBgpTimers},
    {"dx.resilience.single-vif", Family::kDx, "no second VIF on a second connection",
     CheckResilienceSingleVif},
    {"dx.vif.readable", Family::kDx,
     "the VIF description file (it holds the authKey) is readable by every user",
     CheckVifReadable},
};

}  // namespace

std::span<const Rule> DxRules() { return kDxRules; }

}  // namespace edgediag::plugin

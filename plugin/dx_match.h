// Pairs each Direct Connect BGP peering (from a VIF description, or
// discovered when there is none) with what the router holds for it: the
// interface and address, the ARP/ND entry of the Amazon peer, the TCP
// sockets and the FRR neighbour. Every dx.* rule starts from this pairing.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "plugin/finding.h"
#include "plugin/ip.h"
#include "plugin/snapshot.h"

namespace edgediag::plugin {

/// How the router's address relates to the VIF's customer address.
enum class AddressMatch {
  kExact,         ///< customer address with the VIF's prefix length
  kWrongPrefix,   ///< customer address, other prefix length
  kWrongAddress,  ///< another address in the peer subnet
  kSwapped,       ///< the router holds the Amazon address
  kMissing,       ///< nothing in the peer subnet
};

struct DxPeering {
  const Vif* vif = nullptr;  ///< null in zero-config mode
  VifBgpPeer expected;       ///< addresses, ASN and key as AWS describes them
  std::optional<Prefix> customer, amazon;
  std::uint16_t vlan = 0;  ///< the VIF's VLAN (0 when unknown)
  Subject subject;

  AddressMatch match = AddressMatch::kMissing;
  const Address* address = nullptr;  ///< the router's address that matched
  const Interface* iface = nullptr;  ///< where it sits (or the VLAN's sub-interface)
  const Neighbour* neighbour = nullptr;  ///< ARP/ND entry of the Amazon address
  const BgpNeighbor* bgp = nullptr;      ///< FRR's neighbour for the Amazon address
  std::vector<const TcpSocket*> sockets;  ///< port-179 sockets toward the peer, listeners
  /// The VRF the interface is enslaved to ("default" when none): FRR's
  /// neighbour is looked up there first, and the VRF's routing table is
  /// the one the VIF's routes live in (the connected route of its subnet).
  std::string vrf = "default";
  std::optional<std::uint32_t> table;
};

/// The VRF an interface belongs to: its master's name when that is a VRF
/// device, else "default".
std::string VrfOf(const Snapshot& snapshot, const Interface& iface);

/// All peerings to check: one per VIF bgpPeer (or VIF), or, without VIF
/// descriptions, one per DX-like BGP neighbour found on the router.
std::vector<DxPeering> MatchDx(const Snapshot& snapshot);

/// The parent chain of an interface, innermost first, bounded.
std::vector<const Interface*> Ancestors(const Snapshot& snapshot, const Interface& iface);

/// "ethernet eth1 vif 101" — the VyOS configuration path of an interface.
std::string VyosPath(const Snapshot& snapshot, const Interface& iface);

/// AWS's own ASNs and the default Amazon-side private ASN.
bool IsAmazonAsn(std::uint32_t asn);

}  // namespace edgediag::plugin

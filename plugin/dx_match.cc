#include "plugin/dx_match.h"

#include <algorithm>

#include <fmt/format.h>

#include "plugin/vif_reader.h"

namespace edgediag::plugin {
namespace {

// The router's addresses, neighbours, sockets and BGP neighbours, parsed once
// per MatchDx call rather than once per peering (50 VIFs x 30 rules).
struct Parsed {
  std::vector<std::pair<Prefix, const Address*>> addresses;
  std::vector<std::pair<Prefix, const Neighbour*>> neighbours;
  std::vector<std::pair<Prefix, const BgpNeighbor*>> bgp;
  std::vector<std::pair<std::optional<Prefix>, const TcpSocket*>> sockets;

  explicit Parsed(const Snapshot& s) {
    for (const auto& a : s.addresses)
      if (auto r = ParseAddress(a.address, a.prefixlen)) addresses.emplace_back(*r, &a);
    for (const auto& n : s.neighbours)
      if (auto r = ParseAddress(n.address)) neighbours.emplace_back(*r, &n);
    for (const auto& b : s.bgp_neighbors)
      if (auto r = ParseAddress(b.address)) bgp.emplace_back(*r, &b);
    for (const auto& t : s.tcp_sockets)
      if (t.local_port == 179 || t.remote_port == 179) sockets.emplace_back(ParseAddress(t.remote), &t);
  }
};

bool IsLinkLocal6(const Prefix& r) {
  return r.family == 6 && r.bytes[0] == 0xfe && (r.bytes[1] & 0xc0) == 0x80;
}

void Locate(const Snapshot& s, const Parsed& parsed, DxPeering& p) {
  // 1. The customer address itself; AWS may hand out the same link-local
  // pair on several VIFs (kept apart by VRF), so the one on the VIF's own
  // VLAN wins.
  auto on_vlan = [&](const Address* a) {
    const Interface* i = s.FindInterface(a->ifindex);
    return p.vlan != 0 && i && i->vlan_id && *i->vlan_id == p.vlan;
  };
  for (const auto& [r, a] : parsed.addresses) {
    if (!p.customer || !r.SameAddress(*p.customer)) continue;
    if (p.address && !on_vlan(a)) continue;
    p.address = a;
    p.match = r.len == p.customer->len ? AddressMatch::kExact : AddressMatch::kWrongPrefix;
    if (on_vlan(a)) break;
  }
  // 2. The Amazon address on the router: the two were swapped.
  if (!p.address && p.amazon) {
    for (const auto& [r, a] : parsed.addresses) {
      if (r.SameAddress(*p.amazon)) {
        p.address = a;
        p.match = AddressMatch::kSwapped;
        break;
      }
    }
  }
  // 3. Another address in the peer subnet (either side's view of it).
  if (!p.address && p.amazon) {
    for (const auto& [r, a] : parsed.addresses) {
      if (r.family != p.amazon->family || IsLinkLocal6(r)) continue;
      if (p.amazon->Contains(r) || r.Contains(*p.amazon)) {
        p.address = a;
        p.match = AddressMatch::kWrongAddress;
        break;
      }
    }
  }
  if (p.address) {
    p.iface = s.FindInterface(p.address->ifindex);
    if (!p.iface) p.iface = s.FindInterface(p.address->ifname);
  } else if (p.vlan != 0) {
    // Nothing addressed: point at the sub-interface that carries the VLAN.
    for (const auto& i : s.interfaces)
      if (i.vlan_id && *i.vlan_id == p.vlan) {
        p.iface = &i;
        break;
      }
  }
  if (p.iface) {
    p.vrf = VrfOf(s, *p.iface);
    // The VRF's table: where the kernel put the connected route of the subnet.
    for (const auto& r : s.routes)
      if ((r.ifindex == p.iface->ifindex || r.dev == p.iface->name) && r.protocol == "kernel" &&
          r.type == "unicast" && r.gateway.empty() && p.address &&
          r.family == p.address->family) {
        p.table = r.table;
        break;
      }
  }
  if (p.amazon) {
    for (const auto& [na, n] : parsed.neighbours) {
      if (!na.SameAddress(*p.amazon)) continue;
      if (p.iface && n->ifindex != p.iface->ifindex && n->ifname != p.iface->name) continue;
      p.neighbour = n;
      break;
    }
    // AWS may hand out the same link-local pair on VIFs in different VRFs:
    // FRR's neighbour in the interface's own VRF wins.
    for (const auto& [ba, b] : parsed.bgp) {
      if (!ba.SameAddress(*p.amazon)) continue;
      if (p.bgp && b->vrf != p.vrf) continue;
      p.bgp = b;
      if (b->vrf == p.vrf) break;
    }
    for (const auto& [ra, t] : parsed.sockets) {
      bool to_peer = ra && ra->SameAddress(*p.amazon);
      bool listener = t->state == "LISTEN" && t->local_port == 179;
      if (to_peer || listener) p.sockets.push_back(t);
    }
  }
  p.subject.interface = p.iface ? p.iface->name : "";
}

}  // namespace

std::string VrfOf(const Snapshot& s, const Interface& iface) {
  if (!iface.master) return "default";
  const Interface* m = s.FindInterface(*iface.master);
  return m && m->kind == "vrf" ? m->name : "default";
}

bool IsAmazonAsn(std::uint32_t asn) {
  // Amazon's public ASNs. 64512, the default Amazon-side ASN of a gateway, is
  // also the first private ASN and AWS Site-to-Site VPN's: no evidence alone.
  return asn == 7224 || asn == 16509;
}

std::vector<const Interface*> Ancestors(const Snapshot& s, const Interface& iface) {
  std::vector<const Interface*> out;
  const Interface* cur = &iface;
  for (int depth = 0; depth < 8 && cur->link && *cur->link != cur->ifindex; ++depth) {
    const Interface* parent = s.FindInterface(*cur->link);
    if (!parent && !cur->parent.empty()) parent = s.FindInterface(cur->parent);
    if (!parent) break;
    out.push_back(parent);
    cur = parent;
  }
  return out;
}

std::string VyosPath(const Snapshot& s, const Interface& iface) {
  auto type_of = [](const Interface& i) -> std::string {
    if (i.kind == "bond") return "bonding";
    if (i.kind == "bridge") return "bridge";
    if (i.kind == "wireguard") return "wireguard";
    return "ethernet";
  };
  if (!iface.vlan_id) return type_of(iface) + " " + iface.name;
  auto up = Ancestors(s, iface);
  if (up.empty()) return fmt::format("ethernet {} vif {}", iface.parent, *iface.vlan_id);
  const Interface& parent = *up.front();
  if (parent.vlan_id && up.size() >= 2)  // stacked: outer service tag, inner customer tag
    return fmt::format("{} {} vif-s {} vif-c {}", type_of(*up[1]), up[1]->name, *parent.vlan_id,
                       *iface.vlan_id);
  if (iface.vlan_protocol && *iface.vlan_protocol == 0x88a8)
    return fmt::format("{} {} vif-s {}", type_of(parent), parent.name, *iface.vlan_id);
  return fmt::format("{} {} vif {}", type_of(parent), parent.name, *iface.vlan_id);
}

std::vector<DxPeering> MatchDx(const Snapshot& s) {
  std::vector<DxPeering> out;
  const Parsed parsed(s);
  for (const auto& vif : s.vifs) {
    const auto& st = vif.virtualInterfaceState;
    if (st == "deleted" || st == "deleting" || st == "rejected") continue;
    for (const auto& peer : Peerings(vif)) {
      DxPeering p;
      p.vif = &vif;
      p.expected = peer;
      p.customer = ParsePrefix(peer.customerAddress);
      p.amazon = ParsePrefix(peer.amazonAddress);
      p.vlan = vif.vlan;
      p.subject = {SubjectKind::kDxVif, vif.virtualInterfaceId, "",
                   p.amazon ? p.amazon->Address() : "", vif.virtualInterfaceName};
      Locate(s, parsed, p);
      out.push_back(std::move(p));
    }
  }
  if (!s.vifs.empty()) {
    // describe-virtual-interfaces lists the whole account. When some VIFs
    // are terminated here, the ones with no trace on this router (no
    // address in their subnet, no sub-interface on their VLAN, no BGP
    // neighbour) belong to another router.
    auto traced = [](const DxPeering& p) { return p.address || p.iface || p.bgp; };
    std::vector<std::string> here;
    for (const auto& p : out)
      if (traced(p)) here.push_back(p.vif->virtualInterfaceId);
    if (!here.empty())
      std::erase_if(out, [&](const DxPeering& p) {
        return std::find(here.begin(), here.end(), p.vif->virtualInterfaceId) == here.end();
      });
    return out;
  }
  // A VIF file that could not be read must not turn into discovery: the
  // discovered peers would be judged without the VIF they belong to.
  if (s.Source(kSourceVif).state == SourceState::kUnavailable) return out;

  // Zero-config: DX-like BGP neighbours — link-local 169.254.0.0/16 peers,
  // or peers with an Amazon ASN — checked for everything that needs no VIF.
  auto link_local = *ParsePrefix("169.254.0.0/16");
  for (const auto& b : s.bgp_neighbors) {
    auto a = ParseAddress(b.address);
    if (!a) continue;
    bool dx_like = link_local.Contains(*a) || (b.remoteAs && IsAmazonAsn(*b.remoteAs));
    if (!dx_like) continue;
    DxPeering p;
    p.amazon = a;
    p.subject = {SubjectKind::kDxVif, a->Address(), "", a->Address(), ""};
    // The router address whose subnet holds the peer stands in for the VIF's;
    // the one in the neighbour's own VRF first (the same link-local pair may
    // serve VIFs in several VRFs).
    for (const auto& addr : s.addresses) {
      auto r = ParseAddress(addr.address, addr.prefixlen);
      if (!r || !r->Contains(*a) || r->SameAddress(*a)) continue;
      const Interface* at = s.FindInterface(addr.ifindex);
      bool same_vrf = at && VrfOf(s, *at) == b.vrf;
      if (p.customer && !same_vrf) continue;
      p.customer = r;
      p.amazon->len = r->len;
      if (at && at->vlan_id) p.vlan = *at->vlan_id;  // Locate keeps to that sub-interface
      if (same_vrf) break;
    }
    // The same peer address in two VRFs is two peerings: the VRF names it.
    int same_address = 0;
    for (const auto& o : s.bgp_neighbors) same_address += o.address == b.address;
    if (same_address > 1 && b.vrf != "default") p.subject.id = b.vrf + ":" + a->Address();
    Locate(s, parsed, p);
    p.bgp = &b;
    // Direct Connect arrives on an 802.1Q sub-interface; 169.254/16 peers on
    // tunnels (AWS Site-to-Site VPN, GRE) are not VIFs.
    if (!p.iface || (p.iface->kind != "vlan" && !p.iface->vlan_id)) continue;
    if (p.iface->vlan_id) p.vlan = *p.iface->vlan_id;
    out.push_back(std::move(p));
  }
  // Link-local neighbours on VLAN sub-interfaces that FRR does not know.
  for (const auto& n : s.neighbours) {
    auto a = ParseAddress(n.address);
    if (!a || !link_local.Contains(*a)) continue;
    const Interface* i = s.FindInterface(n.ifindex);
    if (!i || !i->vlan_id) continue;
    bool known = false;
    for (const auto& p : out) known |= p.amazon && p.amazon->SameAddress(*a);
    if (known) continue;
    DxPeering p;
    p.amazon = a;
    p.vlan = *i->vlan_id;
    p.subject = {SubjectKind::kDxVif, a->Address(), i->name, a->Address(), ""};
    for (const auto& addr : s.addresses) {
      auto r = ParseAddress(addr.address, addr.prefixlen);
      if (r && addr.ifindex == i->ifindex && r->Contains(*a)) {
        p.customer = r;
        p.amazon->len = r->len;
        break;
      }
    }
    Locate(s, parsed, p);
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace edgediag::plugin

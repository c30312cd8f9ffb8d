// vpn --probe: the tunnels to probe and their targets (vpn_probe.h).
#include "plugin/vpn_probe.h"

#include <algorithm>

#include "plugin/ip.h"
#include "plugin/wg_model.h"

namespace edgediag::plugin {
namespace {

// A single host of a prefix list: "10.1.2.3/32", "fd00::5/128".
std::optional<Prefix> SingleHost(const std::vector<std::string>& prefixes) {
  for (const auto& t : prefixes) {
    auto p = ParsePrefix(t);
    if (p && p->len == p->MaxLen()) return p;
  }
  return std::nullopt;
}

// The router's first address on `ifname` of `family`.
std::optional<Prefix> AddressOn(const Snapshot& s, const std::string& ifname, int family) {
  for (const auto& a : s.addresses)
    if (a.ifname == ifname && a.family == family)
      if (auto p = ParseAddress(a.address, a.prefixlen)) return p;
  return std::nullopt;
}

// The router's address inside one of `selectors` of `family`.
std::optional<Prefix> AddressInside(const Snapshot& s, const std::vector<std::string>& selectors,
                                    int family) {
  for (const auto& t : selectors) {
    auto sel = ParsePrefix(t);
    if (!sel || sel->family != family) continue;
    for (const auto& a : s.addresses) {
      auto p = ParseAddress(a.address);
      if (p && p->family == family && sel->Contains(*p)) return p;
    }
  }
  return std::nullopt;
}

// The other end of a point-to-point /30 or /31 (IPv4), /126 or /127 (IPv6).
std::optional<Prefix> OtherEnd(const Prefix& local) {
  int host_bits = local.MaxLen() - local.len;
  if (host_bits < 1 || host_bits > 2) return std::nullopt;
  Prefix peer = local;
  auto& last = peer.bytes[static_cast<std::size_t>(local.family == 6 ? 15 : 3)];
  if (host_bits == 1) {
    last ^= 1;
  } else {
    int host = last & 3;
    if (host != 1 && host != 2) return std::nullopt;  // network or broadcast
    last = static_cast<std::uint8_t>((last & ~3) | (host == 1 ? 2 : 1));
  }
  peer.len = peer.MaxLen();
  return peer;
}

const std::string* OperatorTarget(
    std::span<const std::pair<std::string, std::string>> targets,
    std::initializer_list<std::string_view> names) {
  for (const auto& [tunnel, addr] : targets)
    for (auto n : names)
      if (!n.empty() && tunnel == n) return &addr;
  return nullptr;
}

}  // namespace

std::vector<TunnelProbeTarget> VpnProbeTargets(
    const Facts& facts, std::span<const std::pair<std::string, std::string>> operator_targets,
    bool wireguard, bool ipsec) {
  const Snapshot& s = facts.snapshot();
  std::vector<TunnelProbeTarget> out;
  std::size_t derived = 0;
  auto add = [&](TunnelProbeTarget t) {
    if (t.origin == "derived" && derived++ >= kMaxDerivedProbes) return;
    out.push_back(std::move(t));
  };
  if (wireguard) {
    for (const auto& w : s.wireguard) {
      if (AdminDown(s, w)) continue;
      for (const auto& p : w.peers) {
        auto age = HandshakeAge(s, p);
        if (!age || *age > kRejectAfterTime) continue;
        TunnelProbeTarget t{.tunnel = w.name + ":" + p.public_key, .dev = w.name};
        std::optional<Prefix> target;
        if (const std::string* a =
                OperatorTarget(operator_targets, {p.public_key, p.name, t.tunnel})) {
          target = ParseAddress(*a);
          t.origin = "operator";
        } else if (const std::string* b = OperatorTarget(operator_targets, {w.name})) {
          // An interface-wide target belongs to the peer whose AllowedIPs hold it.
          auto addr = ParseAddress(*b);
          bool mine = false;
          for (const auto& a : p.allowed_ips)
            if (auto pre = ParsePrefix(a); pre && addr && pre->Contains(*addr)) mine = true;
          if (mine) {
            target = addr;
            t.origin = "operator";
          }
        }
        if (!target) {
          target = SingleHost(p.allowed_ips);
          t.origin = "derived";
        }
        if (!target) continue;
        t.target = target->Address();
        if (auto src = AddressOn(s, w.name, target->family)) t.source = src->Address();
        add(std::move(t));
      }
    }
  }
  if (ipsec) {
    for (const auto& a : facts.ipsec_children()) {
      const std::string& conn = a.ike->name;
      const std::string& child = a.child->name;
      TunnelProbeTarget t{.tunnel = conn, .child = child};
      if (a.tunnel.iface) t.dev = a.tunnel.iface->name;
      std::optional<Prefix> target, vti_address;
      if (a.tunnel.iface) vti_address = AddressOn(s, a.tunnel.iface->name, 4);
      bool vti_peer = false;
      if (const std::string* op =
              OperatorTarget(operator_targets, {child, conn, conn + "/" + child})) {
        target = ParseAddress(*op);
        t.origin = "operator";
      } else {
        t.origin = "derived";
        target = SingleHost(a.child->remote_ts);
        if (!target && vti_address) {
          target = OtherEnd(*vti_address);
          vti_peer = target.has_value();
        }
      }
      if (!target) continue;
      t.target = target->Address();
      // The VTI's peer is pinged from the VTI's own address; anything else
      // from inside the local selector, else from the VTI.
      std::optional<Prefix> src;
      if (!vti_peer) src = AddressInside(s, a.child->local_ts, target->family);
      if (!src && a.tunnel.iface) src = AddressOn(s, a.tunnel.iface->name, target->family);
      if (src) t.source = src->Address();
      // A policy-based tunnel takes only packets from inside its local
      // selector: without such a source a ping would not enter it.
      if (t.source.empty() && t.dev.empty()) continue;
      add(std::move(t));
    }
  }
  return out;
}

std::optional<std::pair<std::string, std::string>> ParseProbeTarget(const std::string& text,
                                                                    std::string* error) {
  auto eq = text.rfind('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == text.size()) {
    *error = "'" + text + "' is not TUNNEL=ADDR";
    return std::nullopt;
  }
  std::string addr = text.substr(eq + 1);
  if (!ParseAddress(addr)) {
    *error = "'" + addr + "' in '" + text + "' is not an IPv4 or IPv6 address";
    return std::nullopt;
  }
  return std::make_pair(text.substr(0, eq), addr);
}

}  // namespace edgediag::plugin

// vpn --probe: which tunnels get a few ICMP echoes, to what, from where. A
// handshake or an INSTALLED SA proves the control plane; only a packet
// through the tunnel proves the data plane. Pure: the pings themselves are
// in capture_probe.cc (CaptureTunnelProbes).
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "plugin/facts.h"
#include "plugin/ip.h"

namespace edgediag::plugin {

/// One tunnel to probe.
struct TunnelProbeTarget {
  std::string tunnel;  ///< WireGuard: "wg0:KEY"; IPsec: the connection name
  std::string child;   ///< IPsec: the CHILD SA's name; WireGuard: empty
  std::string target;  ///< the address pinged
  std::string source;  ///< bound source address; empty: the interface `dev`
  std::string dev;     ///< the tunnel interface, where there is one
  std::string origin;  ///< "operator" (--probe-target) or "derived"
};

/// At most this many derived targets a run (operator targets are all
/// probed): a hub's live road warriors are not pinged by the thousand.
inline constexpr std::size_t kMaxDerivedProbes = 64;

/// The tunnels that look healthy (a WireGuard peer with a handshake younger
/// than REJECT_AFTER_TIME; an INSTALLED CHILD SA of an established IKE SA)
/// and have a target: the operator's (`--probe-target TUNNEL=ADDR`, TUNNEL a
/// peer's key, name or "IFACE:KEY", an interface (the peer whose AllowedIPs
/// hold ADDR), a connection or CHILD SA name), else one derived where that is
/// safe: a single-host AllowedIPs or remote selector, or the other end of a
/// VTI's /30 or /31. The source is an address of the router inside the local
/// selector, or the tunnel interface's own address.
std::vector<TunnelProbeTarget> VpnProbeTargets(
    const Facts& facts, std::span<const std::pair<std::string, std::string>> operator_targets,
    bool wireguard, bool ipsec);

/// What `vpn --probe`'s path-MTU ladder saw through one CHILD SA, probe by
/// probe: the small echo, and the DF echoes answered, lost (sent and never
/// answered, or dropped by the kernel on the way out) or refused by the
/// router itself ("message too long, mtu=N"). The capture decides its next
/// round from it, and ipsec.mtu its finding, so the two agree.
struct PathMtuLadder {
  std::optional<Probe> small;    ///< the small (non-DF) echo, where sent
  std::uint32_t answered = 0;    ///< largest size answered (the small echo counts)
  std::uint32_t lost = 0;        ///< smallest DF size lost
  std::uint32_t tried = 0;       ///< largest DF size that left (or was dropped leaving)
  std::uint32_t router_mtu = 0;  ///< the MTU the router named when it refused one

  void Add(const Probe& p) {
    if (!p.df) {
      small = p;
      if (p.received > 0) answered = std::max(answered, p.size);
    } else if (p.mtu != 0) {
      router_mtu = p.mtu;
    } else if (p.sent > 0 || p.dropped) {
      tried = std::max(tried, p.size);
      if (p.received > 0)
        answered = std::max(answered, p.size);
      else
        lost = lost == 0 ? p.size : std::min(lost, p.size);
    }
  }
  bool small_answered() const { return small && small->received > 0; }
  /// Big packets lost where smaller ones pass: a black hole, not loss.
  bool black_hole() const { return small_answered() && lost != 0 && answered < lost; }
};

/// Splits "TUNNEL=ADDR" at its last '=' (a WireGuard key ends in '='); an
/// error message naming what is wrong when ADDR is not an address.
std::optional<std::pair<std::string, std::string>> ParseProbeTarget(const std::string& text,
                                                                    std::string* error);

}  // namespace edgediag::plugin

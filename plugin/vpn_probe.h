// vpn --probe: which tunnels get a few ICMP echoes, to what, from where. A
// handshake or an INSTALLED SA proves the control plane; only a packet
// through the tunnel proves the data plane. Pure: the pings themselves are
// in capture_probe.cc (CaptureTunnelProbes).
#pragma once

#include <span>
#include <string>
#include <utility>
#include <vector>

#include "plugin/facts.h"

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

/// Splits "TUNNEL=ADDR" at its last '=' (a WireGuard key ends in '='); an
/// error message naming what is wrong when ADDR is not an address.
std::optional<std::pair<std::string, std::string>> ParseProbeTarget(const std::string& text,
                                                                    std::string* error);

}  // namespace edgediag::plugin

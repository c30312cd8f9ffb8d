// Hand-built snapshots for the VPN rule tests: a healthy IPsec site-to-site
// router and a healthy WireGuard router, that each test breaks in one way.
#pragma once

#include <cstdint>

#include "plugin/snapshot.h"

namespace edgediag::testing {

inline constexpr std::int64_t kVpnNowMs = 1795658400000;  // 2026-11-26T02:00:00Z
inline constexpr char kHqKey[] = "hqPeerKeyAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
inline constexpr char kBranchKey[] = "brPeerKeyBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB=";

/// Policy-based site-to-site: eth0 203.0.113.2/24 (default via .1), LAN eth1
/// 10.1.1.1/24; connection "site-b" to 198.51.100.2 with CHILD
/// "site-b-tunnel-0" 10.1.1.0/24 === 10.2.0.0/16 (start_action start),
/// IKE ESTABLISHED, CHILD INSTALLED with traffic both ways, XFRM policies
/// and states present, VyOS NAT: rule 10 excludes 10.2.0.0/16, rule 100
/// masquerades 10.1.1.0/24 out of eth0.
plugin::Snapshot HealthyIpsec();

/// The same router 30 s earlier: fewer bytes and packets, same SAs.
plugin::Snapshot PreviousIpsec();

/// HealthyIpsec() made route-based: xfrm interface vti1 (VyOS: if_id 2),
/// CHILD "site-b-vti" with if_id 2, 10.2.0.0/16 routed into vti1.
plugin::Snapshot RouteBasedIpsec();

/// wg0 (10.99.0.1/24, MTU 1420, port 51820) over eth0 203.0.113.2/24 with
/// two peers: "hq" (198.51.100.10, AllowedIPs 10.99.0.2/32 and
/// 192.168.50.0/24, keepalive 25, handshake 30 s ago) and "branch"
/// (198.51.100.20, 10.99.0.3/32 and 192.168.60.0/24, no keepalive,
/// handshake 60 s ago); both /24s routed into wg0.
plugin::Snapshot HealthyWireguard();

/// The same router 30 s earlier: fewer bytes on both peers.
plugin::Snapshot PreviousWireguard();

/// A peer of a test snapshot by its friendly name (throws when absent).
plugin::WgPeer& Peer(plugin::Snapshot& s, const char* name);

/// Synthetic WireGuard router with `peers` peers on wg0, each with a /32
/// tunnel address and a /24 behind it, routes into wg0, handshakes fresh.
/// For scale tests and benchmarks.
plugin::Snapshot ManyWireguardPeers(int peers);

}  // namespace edgediag::testing

// strongSwan's view (list-conns, list-sas) read the way the ipsec.* rules
// need it: which SAs protect traffic, selectors, start actions, the tunnel
// interface of a route-based CHILD SA, and the CHILD SAs that carry traffic.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "plugin/ip.h"
#include "plugin/prefix_trie.h"
#include "plugin/snapshot.h"

namespace edgediag::plugin {

/// IKE SAs that protect traffic: ESTABLISHED, or REKEYING (the old SA while
/// its successor is negotiated; strongSwan ike_sa.h, ike_sa_state_t).
bool IkeUp(const IkeSa& ike);
/// CHILD SAs present in the kernel: INSTALLED, REKEYING (the old SA beside
/// its replacement) or UPDATING (a MOBIKE address change; child_sa.h).
bool ChildPresent(const ChildSa& c);

/// A traffic selector ("10.1.0.0/16", "10.1.0.0/16[tcp/443]") as a
/// network; ranges and "dynamic" are not prefixes and give nullopt.
std::optional<Prefix> ParseTs(std::string_view ts);
/// The selectors of a list that are prefixes.
std::vector<Prefix> Selectors(const std::vector<std::string>& ts);
/// "a, b, c".
std::string Join(const std::vector<std::string>& v, std::string_view sep = ", ");
/// "10.1.1.0/24 === 10.2.0.0/16".
std::string TsText(const ChildSa& c);
/// An SPI as VICI prints it ("c1a2b3d4", "0xc1a2b3d4").
std::optional<std::uint32_t> ParseSpi(const std::string& hex);

const IpsecConnection* FindConnection(const Snapshot& s, std::string_view name);
/// The IKE SAs of a connection (several while one is re-established).
std::vector<const IkeSa*> IkesOf(const Snapshot& s, std::string_view name);
/// The peer's address as the IKE SA or the configuration gives it.
std::string RemoteOf(const Snapshot& s, const IpsecConnection& c);

/// A pass or drop shunt: a CHILD config (mode PASS or DROP) that never has
/// an SA; its kernel policy lets traffic bypass IPsec, or drops it.
bool IsShunt(const ChildConfig& c);
/// Whether a list-policies entry is a shunt (mode PASS/DROP) rather than a trap.
bool IsShuntPolicy(const IpsecPolicy& p);
/// charon's installed trap or shunt policy for CHILD `child` of `conn`, if any.
const IpsecPolicy* InstalledPolicy(const Snapshot& s, std::string_view conn,
                                   std::string_view child);

/// When a CHILD SA is established (start_action). list-conns reports it from
/// strongSwan 6.0 on; 5.9 (VyOS 1.4) leaves it out, so a trap is recognised
/// by its kernel footprint instead: an outbound policy with a reqid and no SA.
enum class StartAction { kStart, kTrap, kNone, kUnknown };
/// A trap policy in list-policies is the surest sign (it is what charon
/// installed); the kernel footprint is the fallback.
StartAction StartOf(const Snapshot& s, const ChildConfig& c);
/// kStart when any child starts; kTrap when all are traps or none.
StartAction ConnectionStart(const Snapshot& s, const IpsecConnection& c);

/// Packets that hit an IPsec policy without an SA (a trap waiting for its
/// IKE SA, or a policy whose SA is gone). Host-wide, so only a hint.
std::optional<std::uint64_t> PacketsWaiting(const Snapshot& s, const Snapshot* prev);
/// The kernel's IPsec error counters (/proc/net/xfrm_stat) that rose since
/// `prev`. Host-wide, so they weigh on findings that already name a
/// tunnel; they never make one of their own (docs/checks.md).
struct XfrmErrors {
  std::uint64_t in_state_proto_error = 0;  ///< ESP that fails to decrypt: key or SPI differ
  std::uint64_t in_state_seq_error = 0;    ///< replay window: sequence numbers out of range
  std::uint64_t in_state_expired = 0;      ///< ESP for an SA past its lifetime
  std::uint64_t in_no_states = 0;          ///< ESP for an SA that is gone
  std::uint64_t out_pol_block = 0;         ///< outbound traffic hit a drop (block) policy
};
/// nullopt without an earlier point or without the counters.
std::optional<XfrmErrors> XfrmErrorDeltas(const Snapshot& s, const Snapshot* prev);

/// The connection's reset command on VyOS and its initiate on Linux.
std::string Reinitiate(const IpsecConnection* c, std::string_view name, std::string_view child);
/// "Verify: VyOS `show vpn ipsec sa`; Linux `swanctl --list-sas --ike NAME`".
std::string VerifySa(std::string_view name);

/// XFRM interfaces and VTIs.
bool IsTunnelKind(const Interface& i);
/// The CHILD SA's interface id, else its connection's; nullopt for none or 0.
std::optional<std::uint32_t> IfIdOf(const ChildSa& c, const IpsecConnection* conn, bool inbound);
/// The interface for an if_id: IFLA_XFRM_IF_ID when the collector filled it;
/// otherwise VyOS's naming of vtiN ("if_id N+1" since 2024, "if_id N" before).
const Interface* InterfaceForIfId(const Snapshot& s, std::uint32_t if_id);

/// How a CHILD SA's traffic is steered: by policy (addresses), or into a
/// tunnel interface (route-based: an if_id, or a classic VTI routed to).
struct Tunnel {
  bool route_based = false;
  std::optional<std::uint32_t> if_id;
  const Interface* iface = nullptr;  ///< the XFRM/VTI interface, when known
};
Tunnel TunnelOf(const Snapshot& s, const RouteIndex& routes, const IpsecConnection* conn,
                const ChildSa& c);

/// An INSTALLED CHILD SA of an established IKE SA: one that carries traffic.
struct ActiveChild {
  const IkeSa* ike;
  const ChildSa* child;
  const IpsecConnection* conn;  ///< may be null: an SA whose config is gone
  Tunnel tunnel;
};
std::vector<ActiveChild> InstalledChildren(const Snapshot& s, const RouteIndex& routes);

}  // namespace edgediag::plugin

// The Snapshot: everything edgediag knows about one router at one moment, as
// plain values. Collectors fill it, rules read it, and it round-trips through
// JSON losslessly (--save-snapshot / --from-snapshot), so a bug report is a
// snapshot. Field names keep the kernel's or daemon's own names. Secrets are
// never held: a key is its KeyProperties.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/key_print.h"
#include "plugin/source_status.h"

namespace edgediag::plugin {

/// A network interface as rtnetlink reports it.
struct Interface {
  std::string name;
  int ifindex = 0;
  std::string kind;  ///< IFLA_INFO_KIND: "vlan", "wireguard", "veth", ... ("" for plain NICs)
  std::optional<int> link;  ///< IFLA_LINK: parent ifindex
  std::string parent;       ///< parent's name, when known
  std::optional<std::uint16_t> vlan_id;
  std::optional<std::uint16_t> vlan_protocol;  ///< 0x8100 802.1Q, 0x88a8 802.1ad
  std::uint32_t mtu = 0;
  bool admin_up = false;  ///< IFF_UP
  bool carrier = false;   ///< IFF_LOWER_UP
  std::string operstate;  ///< "UP", "DOWN", "LOWERLAYERDOWN", "UNKNOWN", ...
  std::string lladdr;
  std::optional<std::uint64_t> rx_bytes, tx_bytes, rx_packets, tx_packets;
  std::optional<std::uint64_t> rx_errors, tx_errors, rx_dropped, tx_dropped;
  std::optional<int> rp_filter;  ///< net.ipv4.conf.IF.rp_filter
  std::optional<double> rx_power_mw;           ///< optics, where the driver offers it
  std::optional<double> rx_power_low_alarm_mw;
  std::optional<std::uint32_t> if_id;  ///< IFLA_XFRM_IF_ID, for kind "xfrm" (route-based IPsec)
  std::optional<int> master;  ///< IFLA_MASTER: the VRF (or bridge, bond) it is enslaved to
  bool operator==(const Interface&) const = default;
};

struct Address {
  std::string ifname;
  int ifindex = 0;
  int family = 4;  ///< 4 or 6
  std::string address;  ///< without prefix length
  int prefixlen = 0;
  bool operator==(const Address&) const = default;
};

struct Neighbour {
  std::string ifname;
  int ifindex = 0;
  int family = 4;
  std::string address;
  std::string lladdr;
  std::string state;  ///< REACHABLE, STALE, DELAY, PROBE, FAILED, INCOMPLETE, PERMANENT, NOARP
  bool operator==(const Neighbour&) const = default;
};

struct Route {
  int family = 4;
  std::string dst;  ///< CIDR; "0.0.0.0/0" for default
  std::string gateway;
  std::string dev;
  int ifindex = 0;
  std::uint32_t table = 254;
  std::string type = "unicast";  ///< unicast, blackhole, unreachable, local, ...
  std::string protocol;          ///< kernel, boot, static, bgp, ...
  std::uint32_t metric = 0;
  std::optional<std::uint32_t> mtu;  ///< RTAX_MTU
  bool operator==(const Route&) const = default;
};

/// One TCP-MD5 key configured on a socket (INET_DIAG_MD5SIG), as properties.
struct Md5Key {
  std::string address;
  int prefixlen = 0;
  KeyProperties key;
  bool operator==(const Md5Key&) const = default;
};

struct TcpSocket {
  std::string state;  ///< LISTEN, ESTABLISHED, SYN-SENT, ...
  std::string local;
  std::uint16_t local_port = 0;
  std::string remote;
  std::uint16_t remote_port = 0;
  std::string dev;  ///< SO_BINDTODEVICE, when set
  std::optional<std::uint32_t> snd_mss, rcv_mss, pmtu;
  std::vector<Md5Key> md5_keys;
  bool operator==(const TcpSocket&) const = default;
};

/// Cumulative kernel counters, by their /proc names.
struct Counters {
  std::map<std::string, std::uint64_t> tcp_ext;    ///< /proc/net/netstat TcpExt
  std::map<std::string, std::uint64_t> ip_ext;     ///< /proc/net/netstat IpExt
  std::map<std::string, std::uint64_t> xfrm_stat;  ///< /proc/net/xfrm_stat
  bool operator==(const Counters&) const = default;
};

/// A best path learnt from a neighbour (FRR `show bgp vrf VRF AFI unicast
/// neighbors ADDR routes json`): the prefix and the next hop it names.
struct BgpRoute {
  std::string prefix;   ///< CIDR
  std::string nexthop;  ///< the path's next hop ("" when FRR gave none)
  bool operator==(const BgpRoute&) const = default;
};

/// One address family of a neighbour (an entry of FRR's addressFamilyInfo):
/// its counters and the policy in force, by FRR's own JSON names.
struct BgpAddressFamily {
  std::string afi;  ///< FRR's key: "ipv4Unicast", "ipv6Unicast", ...
  std::optional<std::uint64_t> acceptedPrefixCounter, sentPrefixCounter, prefixAllowedMax;
  std::string routeMapForIncomingAdvertisements, routeMapForOutgoingAdvertisements;
  std::string incomingUpdatePrefixFilterList, outgoingUpdatePrefixFilterList;
  std::string incomingUpdateAsPathFilterList, outgoingUpdateAsPathFilterList;
  std::string incomingUpdateNetworkFilterList, outgoingUpdateNetworkFilterList;  ///< distribute-list
  /// FRR's "(Policy)": ebgp-requires-policy discards updates for want of a policy.
  bool inboundEbgpRequiresPolicy = false, outboundEbgpRequiresPolicy = false;
  /// Prefixes advertised to the neighbour, less those whose AS path holds
  /// the neighbour's AS (FRR sends AWS's routes back; AWS drops them);
  /// nullopt when not read.
  std::optional<std::vector<std::string>> advertisedRoutes;
  /// Best paths learnt from the neighbour; nullopt when not read.
  std::optional<std::vector<BgpRoute>> bestRoutes;
  bool operator==(const BgpAddressFamily&) const = default;
};

/// One BGP neighbour as FRR's `show bgp neighbors json` describes it.
struct BgpNeighbor {
  std::string address;
  std::string vrf = "default";
  std::string bgpState;  ///< Idle, Connect, Active, OpenSent, OpenConfirm, Established
  std::optional<std::uint32_t> localAs, remoteAs;
  std::string hostLocal, hostForeign;
  std::optional<std::uint16_t> portLocal, portForeign;
  std::string interface;  ///< bound or update-source interface, when given
  std::uint64_t opensSent = 0, opensRecv = 0, notificationsSent = 0, notificationsRecv = 0;
  std::uint64_t updatesSent = 0, updatesRecv = 0, keepalivesSent = 0, keepalivesRecv = 0;
  std::uint64_t connectionsEstablished = 0, connectionsDropped = 0;
  std::string lastResetDueTo;
  std::string lastErrorCodeSubcode;  ///< hex, e.g. "0202"
  std::string lastNotificationReason;
  std::optional<std::uint64_t> bgpTimerHoldTimeMsecs;
  std::optional<std::uint64_t> bgpTimerUpMsec;
  bool passwordConfigured = false;
  std::optional<int> ebgpMultihop;   ///< configured hop count when > 1
  std::string updateSource;
  std::optional<int> ttlSecurityHops;
  std::optional<std::uint64_t> prefixesSent;      ///< advertised to the peer
  std::optional<std::uint64_t> prefixesReceived;
  std::vector<BgpAddressFamily> addressFamilyInfo;  ///< per address family
  // The last reset and its NOTIFICATION (FRR bgp_vty.c bgp_show_peer_reset).
  std::optional<std::uint64_t> lastResetTimerMsecs;  ///< age of the last reset
  std::string lastShutdownDescription;  ///< RFC 9003 text of a received Cease 6/2 or 6/4
  // Timers: configured (bgpTimerConfigured*) and in force (bgpTimer*).
  std::optional<std::uint64_t> bgpTimerKeepAliveIntervalMsecs;
  std::optional<std::uint64_t> bgpTimerConfiguredHoldTimeMsecs;
  std::optional<std::uint64_t> bgpTimerConfiguredKeepAliveIntervalMsecs;
  // peerBfdInfo, when BFD is configured for the neighbour.
  std::optional<std::uint32_t> bfdDetectMultiplier, bfdRxMinInterval, bfdTxMinInterval;
  std::string bfdStatus;
  std::string localGrMode;  ///< gracefulRestartInfo.localGrMode: "Helper*", "Restart", ...
  bool operator==(const BgpNeighbor&) const = default;
};

struct ChildConfig {
  std::string name;
  std::string mode;
  std::vector<std::string> local_ts, remote_ts;
  std::string start_action;
  bool operator==(const ChildConfig&) const = default;
};

/// A connection as configured (list-conns): visible even when down.
struct IpsecConnection {
  std::string name;
  std::vector<std::string> local_addrs, remote_addrs;
  std::string version;
  std::optional<std::uint32_t> if_id_in, if_id_out;
  std::vector<ChildConfig> children;
  bool operator==(const IpsecConnection&) const = default;
};

struct ChildSa {
  std::string name;
  std::uint32_t uniqueid = 0;
  std::uint32_t reqid = 0;
  std::string state;  ///< INSTALLED, REKEYING, ...
  std::string mode;
  std::string protocol;
  bool encap = false;
  std::string spi_in, spi_out;
  std::uint64_t bytes_in = 0, bytes_out = 0, packets_in = 0, packets_out = 0;
  std::optional<std::uint64_t> use_in, use_out;  ///< seconds since last packet
  std::optional<std::uint64_t> install_time, rekey_time, life_time;
  std::optional<std::uint32_t> if_id_in, if_id_out;
  std::vector<std::string> local_ts, remote_ts;
  bool operator==(const ChildSa&) const = default;
};

struct IkeSa {
  std::string name;  ///< connection name
  std::uint32_t uniqueid = 0;
  std::string version;
  std::string state;  ///< ESTABLISHED, CONNECTING, ...
  std::string local_host, remote_host;
  std::optional<std::uint16_t> local_port, remote_port;
  std::string local_id, remote_id;
  bool initiator = false;
  bool nat_local = false, nat_remote = false, nat_fake = false, nat_any = false;
  std::optional<std::uint64_t> established;  ///< seconds since established
  std::vector<ChildSa> child_sas;
  bool operator==(const IkeSa&) const = default;
};

/// A policy charon installed without an SA (list-policies): a trap waiting
/// for traffic to bring its CHILD SA up, or a pass/drop shunt.
struct IpsecPolicy {
  std::string name;   ///< the entry's key: "CONN/CHILD" (5.9) or the child's name
  std::string ike;    ///< connection name, when charon gives it
  std::string child;  ///< CHILD config name
  std::string mode;   ///< TRAP, PASS, DROP
  std::vector<std::string> local_ts, remote_ts;
  bool operator==(const IpsecPolicy&) const = default;
};

/// One charon event seen while `--sample` waited (ike-updown, child-updown,
/// ike-rekey, child-rekey). Counters are followed across rekeys with these.
struct IpsecEvent {
  std::int64_t at_ms = 0;  ///< unix milliseconds when it arrived
  std::string event;       ///< the VICI event name
  std::string ike;         ///< connection (IKE_SA config) name
  std::uint32_t ike_uniqueid = 0;  ///< for *-rekey: the new SA's
  bool up = false;                 ///< *-updown: "up = yes"
  std::string child;               ///< child-*: the CHILD SA's name
  std::uint32_t reqid = 0;
  std::string remote_host;
  bool operator==(const IpsecEvent&) const = default;
};

struct XfrmState {
  std::string src, dst;
  std::string proto;  ///< esp, ah, comp
  std::uint32_t spi = 0;
  std::uint32_t reqid = 0;
  std::string mode;  ///< tunnel, transport
  std::optional<std::uint16_t> encap_sport, encap_dport;  ///< ESP-in-UDP
  std::optional<std::uint32_t> if_id;
  std::uint64_t bytes = 0, packets = 0;
  bool operator==(const XfrmState&) const = default;
};

struct XfrmPolicy {
  std::string src, dst;  ///< selector, CIDR
  std::string dir;       ///< in, out, fwd
  std::string action;    ///< allow, block
  std::uint32_t priority = 0;
  std::string tmpl_src, tmpl_dst;
  std::uint32_t reqid = 0;
  std::optional<std::uint32_t> if_id;
  bool operator==(const XfrmPolicy&) const = default;
};

/// A source-NAT-relevant nftables rule, reduced to what the rules need.
struct NatRule {
  std::string family;  ///< ip, ip6, inet
  std::string table, chain;
  std::string hook;  ///< postrouting, ...
  int priority = 0;
  std::uint64_t handle = 0;
  std::string verdict;  ///< masquerade, snat, accept, return
  std::vector<std::string> saddr, daddr;  ///< matched prefixes (empty: any)
  bool saddr_negated = false, daddr_negated = false;
  std::string oifname;
  std::string ipsec;  ///< "exists", "missing" (meta/rt ipsec match) or ""
  std::string text;   ///< the rule as nft would print it, for evidence
  bool operator==(const NatRule&) const = default;
};

struct WgPeer {
  std::string public_key;  ///< base64
  std::string endpoint;    ///< "ADDR:PORT" or "[ADDR]:PORT"; empty when none
  std::vector<std::string> allowed_ips;
  std::int64_t last_handshake = 0;  ///< unix seconds; 0 = never
  std::uint64_t rx_bytes = 0, tx_bytes = 0;
  std::uint16_t persistent_keepalive = 0;  ///< seconds; 0 = off
  std::string name;  ///< a friendly name, where configuration gives one
  /// The endpoint is written in a configuration file (VyOS, wg-quick), not
  /// only learned from the peer's packets: netlink cannot tell the two apart.
  bool endpoint_configured = false;
  bool expect_up = false;  ///< the operator marks it so (--expect-up)
  bool operator==(const WgPeer&) const = default;
};

struct WgInterface {
  std::string name;
  int ifindex = 0;
  std::string public_key;
  std::uint16_t listen_port = 0;
  std::uint32_t fwmark = 0;
  std::vector<WgPeer> peers;
  std::string config;  ///< the configuration file its names came from; empty when none
  bool userspace = false;  ///< read over the UAPI socket (wireguard-go, boringtun)
  bool operator==(const WgInterface&) const = default;
};

/// One BGP peering of a VIF (bgpPeers[]).
struct VifBgpPeer {
  std::string bgpPeerId;
  std::optional<std::uint32_t> asn;
  std::optional<KeyProperties> authKey;
  std::string addressFamily;  ///< ipv4, ipv6
  std::string amazonAddress, customerAddress;  ///< CIDR
  std::string bgpPeerState, bgpStatus;
  bool operator==(const VifBgpPeer&) const = default;
};

/// An AWS Direct Connect virtual interface as describe-virtual-interfaces says.
struct Vif {
  std::string virtualInterfaceId;
  std::string virtualInterfaceName, ownerAccount, location, connectionId, region;
  std::string virtualInterfaceType;   ///< private, public, transit
  std::string virtualInterfaceState;
  std::uint16_t vlan = 0;
  std::optional<std::uint32_t> asn;  ///< customer ASN (asnLong wins)
  std::optional<std::uint32_t> amazonSideAsn;
  std::optional<KeyProperties> authKey;
  std::string amazonAddress, customerAddress, addressFamily;
  std::optional<std::uint32_t> mtu;
  std::optional<bool> jumboFrameCapable;
  std::vector<VifBgpPeer> bgpPeers;
  std::vector<std::string> routeFilterPrefixes;
  std::string virtualGatewayId, directConnectGatewayId, awsDeviceV2;
  std::string source;  ///< file it came from
  std::optional<std::uint32_t> source_mode;  ///< that file's permission bits
  /// Not AWS's: the operator's per-family prefix limit for this VIF
  /// (--prefix-limit, or edgediag.conf), and where it came from.
  std::optional<std::uint32_t> prefix_limit;
  std::string prefix_limit_source;
  bool operator==(const Vif&) const = default;
};

/// One DF-set ping of `dx --probe`, or the echoes of `vpn --probe` through
/// one tunnel.
struct Probe {
  std::string target;
  std::string dev;
  std::uint32_t size = 0;  ///< IP packet size
  bool ok = false;
  std::string detail;
  std::string tunnel;  ///< vpn: the subject probed ("wg0:KEY", an IPsec connection); dx: empty
  std::string child;   ///< vpn, IPsec: the CHILD SA
  std::string source;  ///< vpn: the address the echoes were sent from
  std::string origin;  ///< vpn: "operator" (--probe-target) or "derived"
  std::uint32_t sent = 0, received = 0;  ///< vpn: echo requests and replies
  /// vpn, IPsec: one step of the path-MTU ladder, sent with Don't Fragment.
  bool df = false;
  /// The router's own path MTU when it refused to send a DF echo this big
  /// ("message too long, mtu=N"): nothing was sent at that size.
  std::uint32_t mtu = 0;
  /// vpn, DF ladder: ping ran its course but the kernel took none of the
  /// echoes (0 transmitted, no MTU named: the underlay link dropped them on
  /// the way out). As lost as echoes sent and never answered.
  bool dropped = false;
  bool operator==(const Probe&) const = default;
};

struct Snapshot {
  int version = 1;
  std::string taken_at;  ///< RFC 3339, UTC
  std::int64_t taken_at_ms = 0;  ///< unix milliseconds; rules' only clock
  std::string hostname;
  std::map<std::string, SourceStatus> sources;
  std::vector<Interface> interfaces;
  std::vector<Address> addresses;
  std::vector<Neighbour> neighbours;
  std::vector<Route> routes;
  std::vector<TcpSocket> tcp_sockets;
  Counters counters;
  std::vector<BgpNeighbor> bgp_neighbors;
  std::vector<IpsecConnection> ipsec_connections;
  std::vector<IkeSa> ike_sas;
  std::vector<IpsecPolicy> ipsec_policies;  ///< list-policies: traps and shunts
  std::vector<IpsecEvent> ipsec_events;     ///< seen during --sample, oldest first
  std::vector<XfrmState> xfrm_states;
  std::vector<XfrmPolicy> xfrm_policies;
  std::vector<NatRule> nat_rules;
  std::vector<WgInterface> wireguard;
  std::vector<Vif> vifs;
  std::vector<Probe> probes;
  bool operator==(const Snapshot&) const = default;

  /// Lookups used by many rules.
  const Interface* FindInterface(std::string_view name) const;
  const Interface* FindInterface(int ifindex) const;
  const SourceStatus& Source(const std::string& name) const;
};

/// Whether one rtnetlink dump (kSourceAddresses, kSourceNeighbours,
/// kSourceRoutes) was read: its own status where the snapshot has one, else
/// the kernel source's (snapshots from before dumps had their own).
bool DumpOk(const Snapshot& s, const char* dump);

/// Drops the fingerprints of a key described under a salt nobody else
/// shares: such a key cannot be compared, only described.
void ForgetFingerprints(KeyProperties& key);
/// Drops every key fingerprint of a snapshot (its keys' shapes stay): what
/// is kept on disk can then not be used to test guesses of a key.
void ForgetFingerprints(Snapshot& snapshot);

}  // namespace edgediag::plugin

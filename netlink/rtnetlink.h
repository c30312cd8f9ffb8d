// rtnetlink: links (with VLAN and link statistics), addresses, neighbours and
// routes of every table, as the kernel names them. Decoders work on recorded
// bytes; Read* run the dumps.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "netlink/decoded.h"
#include "netlink/socket.h"

namespace edgediag::netlink {

/// IFLA_STATS64 (struct rtnl_link_stats64), the fields edgediag uses.
struct LinkStats64 {
  std::uint64_t rx_packets = 0, tx_packets = 0, rx_bytes = 0, tx_bytes = 0;
  std::uint64_t rx_errors = 0, tx_errors = 0, rx_dropped = 0, tx_dropped = 0;
  std::uint64_t multicast = 0, collisions = 0;
  bool operator==(const LinkStats64&) const = default;
};

/// RTM_NEWLINK.
struct Link {
  int ifindex = 0;           ///< ifi_index
  unsigned ifi_type = 0;     ///< ARPHRD_*
  unsigned ifi_flags = 0;    ///< IFF_*
  std::string ifname;        ///< IFLA_IFNAME
  std::optional<std::uint32_t> mtu;      ///< IFLA_MTU
  std::optional<int> link;               ///< IFLA_LINK: parent / peer ifindex
  std::optional<int> link_netnsid;       ///< IFLA_LINK_NETNSID: `link` is in another netns
  std::optional<int> master;             ///< IFLA_MASTER
  std::optional<std::uint8_t> operstate; ///< IFLA_OPERSTATE (IF_OPER_*)
  std::string address;                   ///< IFLA_ADDRESS, "aa:bb:..."
  std::string kind;                      ///< IFLA_LINKINFO/IFLA_INFO_KIND
  std::optional<std::uint16_t> vlan_id;        ///< IFLA_INFO_DATA/IFLA_VLAN_ID
  std::optional<std::uint16_t> vlan_protocol;  ///< IFLA_VLAN_PROTOCOL, host order (0x8100, 0x88a8)
  std::optional<std::uint32_t> xfrm_if_id;     ///< IFLA_INFO_DATA/IFLA_XFRM_IF_ID (kind "xfrm")
  std::optional<LinkStats64> stats64;          ///< IFLA_STATS64
  bool admin_up() const;  ///< IFF_UP
  bool carrier() const;   ///< IFF_LOWER_UP
  bool operator==(const Link&) const = default;
};

/// RTM_NEWADDR.
struct Addr {
  int ifindex = 0;
  int family = 0;  ///< AF_INET / AF_INET6
  int prefixlen = 0;
  std::uint8_t scope = 0;
  std::uint32_t flags = 0;  ///< IFA_FLAGS (or ifa_flags)
  std::string address;      ///< IFA_LOCAL, else IFA_ADDRESS
  std::string peer;         ///< IFA_ADDRESS when it differs from IFA_LOCAL (point-to-point)
  std::string label;        ///< IFA_LABEL
  bool operator==(const Addr&) const = default;
};

/// RTM_NEWNEIGH.
struct Neigh {
  int ifindex = 0;
  int family = 0;
  std::uint16_t ndm_state = 0;  ///< NUD_*
  std::uint8_t ndm_flags = 0;
  std::string dst;     ///< NDA_DST
  std::string lladdr;  ///< NDA_LLADDR
  bool operator==(const Neigh&) const = default;
};

/// One next hop of a route (RTA_MULTIPATH entry or the route's own).
struct Nexthop {
  std::string gateway;  ///< RTA_GATEWAY ("" when on-link)
  int ifindex = 0;      ///< RTA_OIF / rtnh_ifindex
  bool operator==(const Nexthop&) const = default;
};

/// RTM_NEWROUTE.
struct Route {
  int family = 0;
  std::string dst;  ///< RTA_DST with rtm_dst_len ("0.0.0.0/0", "::/0" when absent)
  std::uint32_t table = 0;  ///< RTA_TABLE, else rtm_table
  std::uint8_t rtm_type = 0;      ///< RTN_*
  std::uint8_t rtm_protocol = 0;  ///< RTPROT_*
  std::uint8_t rtm_scope = 0;
  std::uint32_t priority = 0;     ///< RTA_PRIORITY (the metric)
  std::string gateway;            ///< RTA_GATEWAY
  int oif = 0;                    ///< RTA_OIF
  std::string prefsrc;            ///< RTA_PREFSRC
  std::optional<std::uint32_t> mtu;  ///< RTA_METRICS/RTAX_MTU
  std::vector<Nexthop> multipath;    ///< RTA_MULTIPATH
  bool operator==(const Route&) const = default;
};

/// RTM_NEWNETCONF: one interface's IPv4 (or IPv6) configuration, or the
/// "all" and "default" sets.
struct Netconf {
  static constexpr int kAll = -1;      ///< NETCONFA_IFINDEX_ALL
  static constexpr int kDefault = -2;  ///< NETCONFA_IFINDEX_DEFAULT
  int family = 0;
  int ifindex = 0;                      ///< NETCONFA_IFINDEX: kAll, kDefault or an ifindex
  std::optional<int> rp_filter;         ///< NETCONFA_RP_FILTER (IPv4 only)
  std::optional<int> forwarding;        ///< NETCONFA_FORWARDING
  bool operator==(const Netconf&) const = default;
};

/// Decodes RTM_NEWLINK messages; other message types are skipped.
Result<Decoded<Link>> DecodeLinks(Bytes messages);
/// Decodes RTM_NEWADDR messages (IPv4 and IPv6 only).
Result<Decoded<Addr>> DecodeAddrs(Bytes messages);
/// Decodes RTM_NEWNEIGH messages (IPv4 and IPv6 only).
Result<Decoded<Neigh>> DecodeNeighs(Bytes messages);
/// Decodes RTM_NEWROUTE messages (IPv4 and IPv6 only; every table).
Result<Decoded<Route>> DecodeRoutes(Bytes messages);
/// Decodes RTM_NEWNETCONF messages; ones without NETCONFA_IFINDEX are skipped
/// with a warning.
Result<Decoded<Netconf>> DecodeNetconf(Bytes messages);

/// "UP", "DOWN", "LOWERLAYERDOWN", ... for IF_OPER_*.
std::string OperstateName(std::uint8_t operstate);
/// "REACHABLE", "STALE", ... for NUD_* ("NONE" for 0; names joined by "|").
std::string NudStateName(std::uint16_t state);
/// "unicast", "local", "blackhole", ... for RTN_*.
std::string RouteTypeName(std::uint8_t type);
/// "kernel", "boot", "static", "bgp", ... for RTPROT_* (the number otherwise).
std::string RouteProtocolName(std::uint8_t protocol);

/// Dumps of the live kernel over a NETLINK_ROUTE socket.
Result<Decoded<Link>> ReadLinks(NetlinkSocket& rtnl);
/// The links of one kind ("wireguard"): the kernel filters the dump by
/// IFLA_INFO_KIND (Linux 4.19+; older kernels send every link, so callers
/// still check Link::kind).
Result<Decoded<Link>> ReadLinksOfKind(NetlinkSocket& rtnl, std::string_view kind);
Result<Decoded<Addr>> ReadAddrs(NetlinkSocket& rtnl);
Result<Decoded<Neigh>> ReadNeighs(NetlinkSocket& rtnl);
Result<Decoded<Route>> ReadRoutes(NetlinkSocket& rtnl);
/// RTM_GETNETCONF dump of `family` (AF_INET: every interface's rp_filter in
/// one dump instead of a /proc/sys file per interface; Linux 3.8+).
Result<Decoded<Netconf>> ReadNetconf(NetlinkSocket& rtnl, std::uint8_t family);

}  // namespace edgediag::netlink

#include "netlink/rtnetlink.h"

#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/netconf.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <array>

#include "netlink/attr.h"

namespace edgediag::netlink {
namespace {

template <typename Hdr>
bool ReadHeader(const nlmsghdr& nlh, Hdr& out) {
  if (nlh.nlmsg_len < NLMSG_HDRLEN + sizeof(Hdr)) return false;
  std::memcpy(&out, reinterpret_cast<const char*>(&nlh) + NLMSG_HDRLEN, sizeof(Hdr));
  return true;
}

bool IsInet(int family) { return family == AF_INET || family == AF_INET6; }

void DecodeLinkInfo(const nlattr* linkinfo, Link& link, Warnings& w) {
  AttrTable<IFLA_INFO_MAX> info;
  ParseNested(linkinfo, info);
  if (auto kind = String(info[IFLA_INFO_KIND], w)) link.kind = std::move(*kind);
  const nlattr* data = info[IFLA_INFO_DATA];
  if (!data) return;
  if (link.kind == "vlan") {
    AttrTable<IFLA_VLAN_MAX> vlan;
    ParseNested(data, vlan);
    link.vlan_id = Scalar<std::uint16_t>(vlan[IFLA_VLAN_ID], w);
    link.vlan_protocol = Be16(vlan[IFLA_VLAN_PROTOCOL], w);
  } else if (link.kind == "xfrm") {
    AttrTable<IFLA_XFRM_MAX> xfrm;
    ParseNested(data, xfrm);
    link.xfrm_if_id = Scalar<std::uint32_t>(xfrm[IFLA_XFRM_IF_ID], w);
  }
}

std::optional<Link> DecodeLink(const nlmsghdr& nlh, Warnings& w) {
  ifinfomsg ifi;
  AttrTable<IFLA_MAX> t;
  if (!ReadHeader(nlh, ifi) || !ParseMessageAttrs(&nlh, sizeof(ifi), t)) {
    w.Add("message too short for its header, skipped");
    return std::nullopt;
  }
  if (t.trailing_garbage) w.Add("bytes after the last attribute");
  Link link;
  link.ifindex = ifi.ifi_index;
  link.ifi_type = ifi.ifi_type;
  link.ifi_flags = ifi.ifi_flags;
  if (auto name = String(t[IFLA_IFNAME], w)) link.ifname = std::move(*name);
  link.mtu = Scalar<std::uint32_t>(t[IFLA_MTU], w);
  link.link = Scalar<std::int32_t>(t[IFLA_LINK], w);
  link.link_netnsid = Scalar<std::int32_t>(t[IFLA_LINK_NETNSID], w);
  link.master = Scalar<std::int32_t>(t[IFLA_MASTER], w);
  link.operstate = Scalar<std::uint8_t>(t[IFLA_OPERSTATE], w);
  if (t[IFLA_ADDRESS]) link.address = FormatLladdr(Payload(t[IFLA_ADDRESS]));
  if (t[IFLA_LINKINFO]) DecodeLinkInfo(t[IFLA_LINKINFO], link, w);
  if (const nlattr* a = t[IFLA_STATS64]) {
    // Older kernels send fewer counters: keep what came, zero the rest.
    rtnl_link_stats64 s;
    if (CopyStruct(a, s) < offsetof(rtnl_link_stats64, multicast)) {
      w.Add("IFLA_STATS64 is " + std::to_string(AttrPayloadLen(a)) +
            " bytes, too short for the counters");
    } else {
      link.stats64 = LinkStats64{s.rx_packets, s.tx_packets, s.rx_bytes,   s.tx_bytes,  s.rx_errors,
                                 s.tx_errors,  s.rx_dropped, s.tx_dropped, s.multicast, s.collisions};
    }
  }
  return link;
}

std::optional<Addr> DecodeAddr(const nlmsghdr& nlh, Warnings& w) {
  ifaddrmsg ifa;
  AttrTable<IFA_MAX> t;
  if (!ReadHeader(nlh, ifa) || !ParseMessageAttrs(&nlh, sizeof(ifa), t)) {
    w.Add("message too short for its header, skipped");
    return std::nullopt;
  }
  if (!IsInet(ifa.ifa_family)) return std::nullopt;
  if (t.trailing_garbage) w.Add("bytes after the last attribute");
  Addr a;
  a.ifindex = static_cast<int>(ifa.ifa_index);
  a.family = ifa.ifa_family;
  a.prefixlen = ifa.ifa_prefixlen;
  a.scope = ifa.ifa_scope;
  a.flags = Scalar<std::uint32_t>(t[IFA_FLAGS], w).value_or(ifa.ifa_flags);
  auto local = AddressAttr(ifa.ifa_family, t[IFA_LOCAL], w);
  auto address = AddressAttr(ifa.ifa_family, t[IFA_ADDRESS], w);
  // IPv4: IFA_LOCAL is the interface's own address, IFA_ADDRESS the peer on
  // point-to-point links. IPv6 sends IFA_ADDRESS only (and IFA_LOCAL+peer).
  if (local) {
    a.address = *local;
    if (address && *address != *local) a.peer = *address;
  } else if (address) {
    a.address = *address;
  } else {
    w.Add("address without IFA_LOCAL or IFA_ADDRESS, skipped");
    return std::nullopt;
  }
  if (auto label = String(t[IFA_LABEL], w)) a.label = *label;
  return a;
}

std::optional<Neigh> DecodeNeigh(const nlmsghdr& nlh, Warnings& w) {
  ndmsg nd;
  AttrTable<NDA_MAX> t;
  if (!ReadHeader(nlh, nd) || !ParseMessageAttrs(&nlh, sizeof(nd), t)) {
    w.Add("message too short for its header, skipped");
    return std::nullopt;
  }
  if (!IsInet(nd.ndm_family)) return std::nullopt;
  if (t.trailing_garbage) w.Add("bytes after the last attribute");
  Neigh n;
  n.ifindex = nd.ndm_ifindex;
  n.family = nd.ndm_family;
  n.ndm_state = nd.ndm_state;
  n.ndm_flags = nd.ndm_flags;
  auto dst = AddressAttr(nd.ndm_family, t[NDA_DST], w);
  if (!dst) {
    w.Add("neighbour without NDA_DST, skipped");
    return std::nullopt;
  }
  n.dst = *dst;
  if (t[NDA_LLADDR]) n.lladdr = FormatLladdr(Payload(t[NDA_LLADDR]));
  return n;
}

void DecodeMultipath(const nlattr* a, int family, Route& r, Warnings& w) {
  Bytes p = Payload(a);
  std::size_t off = 0;
  while (p.size() - off >= sizeof(rtnexthop)) {
    rtnexthop nh;
    std::memcpy(&nh, p.data() + off, sizeof(nh));
    if (nh.rtnh_len < sizeof(rtnexthop) || nh.rtnh_len > p.size() - off) {
      w.Add("RTA_MULTIPATH next hop of length " + std::to_string(nh.rtnh_len) +
            " does not fit, rest ignored");
      return;
    }
    Nexthop hop;
    hop.ifindex = nh.rtnh_ifindex;
    std::size_t attrs = RTNH_ALIGN(sizeof(rtnexthop));
    if (nh.rtnh_len > attrs && (reinterpret_cast<std::uintptr_t>(p.data() + off) % 4) == 0) {
      AttrTable<RTA_MAX> t;
      ParseAttrs(p.data() + off + attrs, nh.rtnh_len - attrs, t);
      if (auto gw = AddressAttr(family, t[RTA_GATEWAY], w)) hop.gateway = *gw;
    }
    r.multipath.push_back(hop);
    off += RTNH_ALIGN(nh.rtnh_len);
    if (off > p.size()) break;
  }
}

std::optional<Route> DecodeRoute(const nlmsghdr& nlh, Warnings& w) {
  rtmsg rtm;
  AttrTable<RTA_MAX> t;
  if (!ReadHeader(nlh, rtm) || !ParseMessageAttrs(&nlh, sizeof(rtm), t)) {
    w.Add("message too short for its header, skipped");
    return std::nullopt;
  }
  if (!IsInet(rtm.rtm_family)) return std::nullopt;
  if (t.trailing_garbage) w.Add("bytes after the last attribute");
  Route r;
  r.family = rtm.rtm_family;
  const int max_len = rtm.rtm_family == AF_INET ? 32 : 128;
  if (rtm.rtm_dst_len > max_len) {
    w.Add("route prefix length " + std::to_string(rtm.rtm_dst_len) + " too long, skipped");
    return std::nullopt;
  }
  std::string dst = rtm.rtm_family == AF_INET ? "0.0.0.0" : "::";
  if (t[RTA_DST]) {
    auto d = AddressAttr(rtm.rtm_family, t[RTA_DST], w);
    if (!d) return std::nullopt;
    dst = *d;
  }
  r.dst = dst + "/" + std::to_string(rtm.rtm_dst_len);
  r.table = Scalar<std::uint32_t>(t[RTA_TABLE], w).value_or(rtm.rtm_table);
  r.rtm_type = rtm.rtm_type;
  r.rtm_protocol = rtm.rtm_protocol;
  r.rtm_scope = rtm.rtm_scope;
  r.priority = Scalar<std::uint32_t>(t[RTA_PRIORITY], w).value_or(0);
  if (auto gw = AddressAttr(rtm.rtm_family, t[RTA_GATEWAY], w)) r.gateway = *gw;
  if (auto src = AddressAttr(rtm.rtm_family, t[RTA_PREFSRC], w)) r.prefsrc = *src;
  r.oif = Scalar<std::int32_t>(t[RTA_OIF], w).value_or(0);
  if (t[RTA_METRICS]) {
    AttrTable<RTAX_MAX> m;
    ParseNested(t[RTA_METRICS], m);
    r.mtu = Scalar<std::uint32_t>(m[RTAX_MTU], w);
  }
  if (t[RTA_MULTIPATH]) DecodeMultipath(t[RTA_MULTIPATH], rtm.rtm_family, r, w);
  return r;
}

std::optional<Netconf> DecodeOneNetconf(const nlmsghdr& nlh, Warnings& w) {
  netconfmsg ncm;
  AttrTable<NETCONFA_MAX> t;
  if (!ReadHeader(nlh, ncm) || !ParseMessageAttrs(&nlh, sizeof(ncm), t)) {
    w.Add("message too short for its header, skipped");
    return std::nullopt;
  }
  if (t.trailing_garbage) w.Add("bytes after the last attribute");
  Netconf n;
  n.family = ncm.ncm_family;
  auto ifindex = Scalar<std::int32_t>(t[NETCONFA_IFINDEX], w);
  if (!ifindex) {
    w.Add("netconf without NETCONFA_IFINDEX, skipped");
    return std::nullopt;
  }
  n.ifindex = *ifindex;
  n.rp_filter = Scalar<std::int32_t>(t[NETCONFA_RP_FILTER], w);
  n.forwarding = Scalar<std::int32_t>(t[NETCONFA_FORWARDING], w);
  return n;
}

template <typename T, typename Fn>
Result<Decoded<T>> DecodeAll(Bytes messages, std::uint16_t type, const char* name, Fn decode_one) {
  Decoded<T> out;
  Warnings w;
  w.where = name;
  // Dumps are one message per item, nearly all of `type`: reserve for the
  // count of messages once rather than growing step by step.
  auto r = ForEachMessage(messages, [&](std::size_t count) { out.items.reserve(count); },
                          [&](const nlmsghdr& nlh) {
    if (nlh.nlmsg_type != type) return;
    if (auto item = decode_one(nlh, w)) out.items.push_back(std::move(*item));
  });
  if (!r) return r.error();
  out.warnings = w.Take();
  return out;
}

template <typename Hdr>
std::array<std::byte, MNL_ALIGN(sizeof(nlmsghdr)) + MNL_ALIGN(sizeof(Hdr))> DumpRequest(
    std::uint16_t type, std::uint8_t family) {
  std::array<std::byte, MNL_ALIGN(sizeof(nlmsghdr)) + MNL_ALIGN(sizeof(Hdr))> buf{};
  nlmsghdr* nlh = mnl_nlmsg_put_header(buf.data());
  nlh->nlmsg_type = type;
  auto* hdr = static_cast<Hdr*>(mnl_nlmsg_put_extra_header(nlh, sizeof(Hdr)));
  // Every rtnetlink family header starts with its u8 family field.
  std::memcpy(hdr, &family, 1);
  return buf;
}

}  // namespace

bool Link::admin_up() const { return ifi_flags & IFF_UP; }
bool Link::carrier() const { return ifi_flags & IFF_LOWER_UP; }

Result<Decoded<Link>> DecodeLinks(Bytes messages) {
  return DecodeAll<Link>(messages, RTM_NEWLINK, "RTM_NEWLINK", DecodeLink);
}
Result<Decoded<Addr>> DecodeAddrs(Bytes messages) {
  return DecodeAll<Addr>(messages, RTM_NEWADDR, "RTM_NEWADDR", DecodeAddr);
}
Result<Decoded<Neigh>> DecodeNeighs(Bytes messages) {
  return DecodeAll<Neigh>(messages, RTM_NEWNEIGH, "RTM_NEWNEIGH", DecodeNeigh);
}
Result<Decoded<Route>> DecodeRoutes(Bytes messages) {
  return DecodeAll<Route>(messages, RTM_NEWROUTE, "RTM_NEWROUTE", DecodeRoute);
}
Result<Decoded<Netconf>> DecodeNetconf(Bytes messages) {
  return DecodeAll<Netconf>(messages, RTM_NEWNETCONF, "RTM_NEWNETCONF", DecodeOneNetconf);
}

std::string OperstateName(std::uint8_t operstate) {
  static constexpr std::array<const char*, 7> kNames = {
      "UNKNOWN", "NOTPRESENT", "DOWN", "LOWERLAYERDOWN", "TESTING", "DORMANT", "UP"};
  return operstate < kNames.size() ? kNames[operstate] : std::to_string(operstate);
}

std::string NudStateName(std::uint16_t state) {
  static constexpr std::pair<std::uint16_t, const char*> kNames[] = {
      {NUD_INCOMPLETE, "INCOMPLETE"}, {NUD_REACHABLE, "REACHABLE"}, {NUD_STALE, "STALE"},
      {NUD_DELAY, "DELAY"},           {NUD_PROBE, "PROBE"},         {NUD_FAILED, "FAILED"},
      {NUD_NOARP, "NOARP"},           {NUD_PERMANENT, "PERMANENT"},
  };
  if (state == NUD_NONE) return "NONE";
  std::string out;
  for (auto [bit, name] : kNames) {
    if (!(state & bit)) continue;
    if (!out.empty()) out += '|';
    out += name;
  }
  if (state & ~0xffu) out += (out.empty() ? "" : "|") + std::to_string(state & ~0xffu);
  return out;
}

std::string RouteTypeName(std::uint8_t type) {
  static constexpr std::array<const char*, 12> kNames = {
      "unspec",    "unicast",     "local",      "broadcast", "anycast", "multicast",
      "blackhole", "unreachable", "prohibit",   "throw",     "nat",     "xresolve"};
  return type < kNames.size() ? kNames[type] : std::to_string(type);
}

std::string RouteProtocolName(std::uint8_t protocol) {
  // iproute2 etc/iproute2/rt_protos and FRR's zebra/rt_netlink.h.
  switch (protocol) {
    case 0: return "unspec";
    case 1: return "redirect";
    case 2: return "kernel";
    case 3: return "boot";
    case 4: return "static";
    case 8: return "gated";
    case 9: return "ra";
    case 10: return "mrt";
    case 11: return "zebra";
    case 12: return "bird";
    case 13: return "dnrouted";
    case 14: return "xorp";
    case 15: return "ntk";
    case 16: return "dhcp";
    case 17: return "mrouted";
    case 18: return "keepalived";
    case 42: return "babel";
    case 186: return "bgp";
    case 187: return "isis";
    case 188: return "ospf";
    case 189: return "rip";
    case 190: return "ripng";
    case 191: return "nhrp";
    case 192: return "eigrp";
    case 193: return "ldp";
    case 194: return "sharp";
    case 195: return "pbr";
    case 196: return "static";  // FRR's zebra static routes
    case 197: return "openfabric";
    default: return std::to_string(protocol);
  }
}

Result<Decoded<Link>> ReadLinks(NetlinkSocket& rtnl) {
  auto req = DumpRequest<ifinfomsg>(RTM_GETLINK, AF_UNSPEC);
  auto bytes = rtnl.Dump(req, "link dump");
  if (!bytes) return bytes.error();
  return DecodeLinks(bytes->bytes());
}

Result<Decoded<Link>> ReadLinksOfKind(NetlinkSocket& rtnl, std::string_view kind) {
  constexpr std::size_t kRoom = 64;  // IFLA_LINKINFO { IFLA_INFO_KIND "name" }
  if (kind.size() > 32) return MakeError(Error::Code::kInvalidInput, "link kind too long");
  std::array<std::byte, MNL_ALIGN(sizeof(nlmsghdr)) + MNL_ALIGN(sizeof(ifinfomsg)) + kRoom> buf{};
  auto head = DumpRequest<ifinfomsg>(RTM_GETLINK, AF_UNSPEC);
  std::memcpy(buf.data(), head.data(), head.size());
  nlmsghdr* nlh = reinterpret_cast<nlmsghdr*>(buf.data());
  nlattr* info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
  std::string name(kind);
  mnl_attr_put_strz(nlh, IFLA_INFO_KIND, name.c_str());
  mnl_attr_nest_end(nlh, info);
  auto bytes = rtnl.Dump(std::span(buf.data(), nlh->nlmsg_len), "link dump");
  if (!bytes) return bytes.error();
  return DecodeLinks(bytes->bytes());
}

Result<Decoded<Addr>> ReadAddrs(NetlinkSocket& rtnl) {
  auto req = DumpRequest<ifaddrmsg>(RTM_GETADDR, AF_UNSPEC);
  auto bytes = rtnl.Dump(req, "address dump");
  if (!bytes) return bytes.error();
  return DecodeAddrs(bytes->bytes());
}

Result<Decoded<Neigh>> ReadNeighs(NetlinkSocket& rtnl) {
  auto req = DumpRequest<ndmsg>(RTM_GETNEIGH, AF_UNSPEC);
  auto bytes = rtnl.Dump(req, "neighbour dump");
  if (!bytes) return bytes.error();
  return DecodeNeighs(bytes->bytes());
}

Result<Decoded<Route>> ReadRoutes(NetlinkSocket& rtnl) {
  auto req = DumpRequest<rtmsg>(RTM_GETROUTE, AF_UNSPEC);
  auto bytes = rtnl.Dump(req, "route dump");
  if (!bytes) return bytes.error();
  return DecodeRoutes(bytes->bytes());
}

Result<Decoded<Netconf>> ReadNetconf(NetlinkSocket& rtnl, std::uint8_t family) {
  auto req = DumpRequest<netconfmsg>(RTM_GETNETCONF, family);
  auto bytes = rtnl.Dump(req, "netconf dump");
  if (!bytes) return bytes.error();
  return DecodeNetconf(bytes->bytes());
}

}  // namespace edgediag::netlink

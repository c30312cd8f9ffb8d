#include "netlink/rtnetlink.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/netconf.h>
#include <linux/rtnetlink.h>

#include <algorithm>

#include "tests/netlink/nl_builder.h"
#include "tests/netlink/recorded_netlink.h"

namespace edgediag::netlink {
namespace {

using testing::AsBytes;
using testing::NlBuilder;

NlBuilder& VlanLink(NlBuilder& b, int ifindex, const std::string& name, int parent,
                    std::uint16_t id, std::uint16_t proto) {
  ifinfomsg ifi{};
  ifi.ifi_family = AF_UNSPEC;
  ifi.ifi_index = ifindex;
  ifi.ifi_flags = IFF_UP | IFF_LOWER_UP;
  b.Begin(RTM_NEWLINK).Header(ifi).Str(IFLA_IFNAME, name).Scalar<std::uint32_t>(IFLA_MTU, 1500);
  b.Scalar<std::int32_t>(IFLA_LINK, parent).Scalar<std::uint8_t>(IFLA_OPERSTATE, IF_OPER_UP);
  b.NestStart(IFLA_LINKINFO).Str(IFLA_INFO_KIND, "vlan").NestStart(IFLA_INFO_DATA);
  b.Scalar<std::uint16_t>(IFLA_VLAN_ID, id).Scalar<std::uint16_t>(IFLA_VLAN_PROTOCOL, htons(proto));
  b.NestEnd().NestEnd();
  return b;
}

TEST(RtnetlinkTest, DecodesStackedVlansWithProtocols) {
  NlBuilder b;
  VlanLink(b, 10, "eth0.100", 2, 100, 0x88a8);
  VlanLink(b, 11, "eth0.100.200", 10, 200, 0x8100);
  auto links = DecodeLinks(b.Done());
  ASSERT_TRUE(links.ok()) << links.error().what;
  ASSERT_EQ(links->items.size(), 2u);
  const Link& outer = links->items[0];
  EXPECT_EQ(outer.ifname, "eth0.100");
  EXPECT_EQ(outer.kind, "vlan");
  EXPECT_EQ(outer.vlan_id, 100);
  EXPECT_EQ(outer.vlan_protocol, 0x88a8);
  EXPECT_EQ(outer.link, 2);
  const Link& inner = links->items[1];
  EXPECT_EQ(inner.vlan_id, 200);
  EXPECT_EQ(inner.vlan_protocol, 0x8100);
  EXPECT_EQ(inner.link, 10);
  EXPECT_TRUE(inner.admin_up());
  EXPECT_TRUE(inner.carrier());
  EXPECT_EQ(OperstateName(*inner.operstate), "UP");
  EXPECT_EQ(links->warnings.size(), 0u);
}

TEST(RtnetlinkTest, SkipsUnknownAttributesAndCountsWrongSizes) {
  ifinfomsg ifi{};
  ifi.ifi_index = 3;
  NlBuilder b;
  b.Begin(RTM_NEWLINK).Header(ifi).Str(IFLA_IFNAME, "eth1");
  b.Scalar<std::uint64_t>(999, 42);              // unknown type: skipped
  b.Scalar<std::uint16_t>(IFLA_MTU, 1500);       // wrong size: unset + warning
  b.Attr(IFLA_ADDRESS, "\x02\x00\x00\x00\x00\x07", 6);
  auto links = DecodeLinks(b.Done());
  ASSERT_TRUE(links.ok());
  ASSERT_EQ(links->items.size(), 1u);
  EXPECT_EQ(links->items[0].ifname, "eth1");
  EXPECT_FALSE(links->items[0].mtu.has_value());
  EXPECT_EQ(links->items[0].address, "02:00:00:00:00:07");
  EXPECT_EQ(links->warnings.size(), 1u);
}

TEST(RtnetlinkTest, NameWithoutNulIsLeftUnset) {
  ifinfomsg ifi{};
  NlBuilder b;
  b.Begin(RTM_NEWLINK).Header(ifi).Attr(IFLA_IFNAME, "eth0", 4);
  auto links = DecodeLinks(b.Done());
  ASSERT_TRUE(links.ok());
  EXPECT_EQ(links->items.at(0).ifname, "");
  EXPECT_EQ(links->warnings.size(), 1u);
}

TEST(RtnetlinkTest, ShortFamilyHeaderIsSkippedWithWarning) {
  NlBuilder b;
  b.Begin(RTM_NEWLINK).Header(std::uint32_t{0});  // 4 bytes, ifinfomsg is 16
  auto links = DecodeLinks(b.Done());
  ASSERT_TRUE(links.ok());
  EXPECT_TRUE(links->items.empty());
  EXPECT_EQ(links->warnings.size(), 1u);
}

// Warnings say what was left out, and where; a flood of them is capped.
TEST(RtnetlinkTest, WarningsNameTheMessageAndAreCapped) {
  NlBuilder b;
  for (int i = 0; i < 40; ++i) b.Begin(RTM_NEWLINK).Header(std::uint32_t{0});
  auto links = DecodeLinks(b.Done());
  ASSERT_TRUE(links.ok());
  ASSERT_EQ(links->warnings.size(), 33u);
  EXPECT_EQ(links->warnings.front(), "RTM_NEWLINK: message too short for its header, skipped");
  EXPECT_EQ(links->warnings.back(), "8 more warnings like these");
}

TEST(RtnetlinkTest, ShortStats64KeepsWhatCame) {
  ifinfomsg ifi{};
  std::uint64_t stats[10] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};  // older kernel: fewer fields
  NlBuilder b;
  b.Begin(RTM_NEWLINK).Header(ifi).Attr(IFLA_STATS64, stats, sizeof(stats));
  auto links = DecodeLinks(b.Done());
  ASSERT_TRUE(links.ok());
  ASSERT_TRUE(links->items.at(0).stats64.has_value());
  EXPECT_EQ(links->items[0].stats64->rx_bytes, 3u);
  EXPECT_EQ(links->items[0].stats64->collisions, 10u);
}

TEST(RtnetlinkTest, TruncatedMessageIsAnError) {
  NlBuilder b;
  VlanLink(b, 10, "eth0.100", 2, 100, 0x8100);
  auto bytes = b.Done();
  bytes.resize(bytes.size() - 8);
  auto links = DecodeLinks(bytes);
  ASSERT_FALSE(links.ok());
  EXPECT_EQ(links.error().code, Error::Code::kProtocol);
  EXPECT_EQ(links.error().what, "netlink: message length 108 with 100 bytes left");
}

TEST(RtnetlinkTest, TruncatedAttributeInsideMessageCountsWarning) {
  ifinfomsg ifi{};
  NlBuilder b;
  b.Begin(RTM_NEWLINK).Header(ifi).Str(IFLA_IFNAME, "ok0");
  auto bytes = b.Done();
  // A trailing attribute header claiming more than is there.
  std::uint8_t bad[4] = {40, 0, IFLA_MTU, 0};
  for (auto x : bad) bytes.push_back(std::byte{x});
  std::uint32_t len = static_cast<std::uint32_t>(bytes.size());
  std::memcpy(bytes.data(), &len, 4);
  auto links = DecodeLinks(bytes);
  ASSERT_TRUE(links.ok());
  EXPECT_EQ(links->items.at(0).ifname, "ok0");
  EXPECT_FALSE(links->items[0].mtu.has_value());
  EXPECT_EQ(links->warnings.size(), 1u);
}

TEST(RtnetlinkTest, XfrmInterfaceIdFromInfoData) {
  ifinfomsg ifi{};
  ifi.ifi_index = 21;
  NlBuilder b;
  b.Begin(RTM_NEWLINK).Header(ifi).Str(IFLA_IFNAME, "ipsec0");
  b.NestStart(IFLA_LINKINFO).Str(IFLA_INFO_KIND, "xfrm").NestStart(IFLA_INFO_DATA);
  b.Scalar<std::uint32_t>(IFLA_XFRM_LINK, 2).Scalar<std::uint32_t>(IFLA_XFRM_IF_ID, 0x2a);
  b.Scalar<std::uint64_t>(IFLA_XFRM_MAX + 5, 7);  // unknown: skipped
  b.NestEnd().NestEnd();
  // The same id on a VLAN means nothing: IFLA_INFO_DATA is per kind.
  ifi.ifi_index = 22;
  b.Begin(RTM_NEWLINK).Header(ifi).Str(IFLA_IFNAME, "eth0.42");
  b.NestStart(IFLA_LINKINFO).Str(IFLA_INFO_KIND, "vlan").NestStart(IFLA_INFO_DATA);
  b.Scalar<std::uint16_t>(IFLA_VLAN_ID, 42).NestEnd().NestEnd();
  // Wrong size: unset, one warning.
  ifi.ifi_index = 23;
  b.Begin(RTM_NEWLINK).Header(ifi).Str(IFLA_IFNAME, "ipsec1");
  b.NestStart(IFLA_LINKINFO).Str(IFLA_INFO_KIND, "xfrm").NestStart(IFLA_INFO_DATA);
  b.Scalar<std::uint16_t>(IFLA_XFRM_IF_ID, 9).NestEnd().NestEnd();
  // No IFLA_INFO_DATA at all.
  ifi.ifi_index = 24;
  b.Begin(RTM_NEWLINK).Header(ifi).Str(IFLA_IFNAME, "ipsec2");
  b.NestStart(IFLA_LINKINFO).Str(IFLA_INFO_KIND, "xfrm").NestEnd();
  auto links = DecodeLinks(b.Done());
  ASSERT_TRUE(links.ok()) << links.error().what;
  ASSERT_EQ(links->items.size(), 4u);
  EXPECT_EQ(links->items[0].kind, "xfrm");
  EXPECT_EQ(links->items[0].xfrm_if_id, 0x2au);
  EXPECT_FALSE(links->items[0].vlan_id.has_value());
  EXPECT_FALSE(links->items[1].xfrm_if_id.has_value());
  EXPECT_EQ(links->items[1].vlan_id, 42);
  EXPECT_FALSE(links->items[2].xfrm_if_id.has_value());
  EXPECT_FALSE(links->items[3].xfrm_if_id.has_value());
  EXPECT_EQ(links->warnings.size(), 1u);
}

TEST(RtnetlinkTest, NetconfDumpGivesRpFilterPerInterfaceAndAll) {
  NlBuilder b;
  auto conf = [&](int ifindex, std::optional<std::int32_t> rp, std::int32_t fwd) {
    netconfmsg ncm{};
    ncm.ncm_family = AF_INET;
    b.Begin(RTM_NEWNETCONF).Header(ncm).Scalar<std::int32_t>(NETCONFA_IFINDEX, ifindex);
    b.Scalar<std::int32_t>(NETCONFA_FORWARDING, fwd);
    if (rp) b.Scalar<std::int32_t>(NETCONFA_RP_FILTER, *rp);
    b.Scalar<std::int32_t>(NETCONFA_MC_FORWARDING, 0).Scalar<std::int32_t>(__NETCONFA_MAX + 3, 1);
  };
  conf(1, 0, 1);
  conf(7, 2, 1);
  conf(NETCONFA_IFINDEX_ALL, 1, 1);
  conf(NETCONFA_IFINDEX_DEFAULT, std::nullopt, 0);
  // No ifindex: nothing to attach it to.
  netconfmsg ncm{};
  ncm.ncm_family = AF_INET;
  b.Begin(RTM_NEWNETCONF).Header(ncm).Scalar<std::int32_t>(NETCONFA_RP_FILTER, 1);
  // Wrong size: unset, one warning.
  b.Begin(RTM_NEWNETCONF).Header(ncm).Scalar<std::int32_t>(NETCONFA_IFINDEX, 9);
  b.Scalar<std::uint8_t>(NETCONFA_RP_FILTER, 1);
  auto nc = DecodeNetconf(b.Done());
  ASSERT_TRUE(nc.ok()) << nc.error().what;
  ASSERT_EQ(nc->items.size(), 5u);
  EXPECT_EQ(nc->items[0], (Netconf{AF_INET, 1, 0, 1}));
  EXPECT_EQ(nc->items[1], (Netconf{AF_INET, 7, 2, 1}));
  EXPECT_EQ(nc->items[2].ifindex, Netconf::kAll);
  EXPECT_EQ(nc->items[2].rp_filter, 1);
  EXPECT_EQ(nc->items[3].ifindex, Netconf::kDefault);
  EXPECT_FALSE(nc->items[3].rp_filter.has_value());
  EXPECT_EQ(nc->items[4].ifindex, 9);
  EXPECT_FALSE(nc->items[4].rp_filter.has_value());
  EXPECT_EQ(nc->warnings.size(), 2u);
}

TEST(RtnetlinkTest, NetconfShortHeaderAndTruncation) {
  NlBuilder b;
  b.Begin(RTM_NEWNETCONF);  // no netconfmsg at all
  auto nc = DecodeNetconf(b.Done());
  ASSERT_TRUE(nc.ok());
  EXPECT_TRUE(nc->items.empty());
  EXPECT_EQ(nc->warnings.size(), 1u);

  NlBuilder t;
  netconfmsg ncm{};
  ncm.ncm_family = AF_INET;
  t.Begin(RTM_NEWNETCONF).Header(ncm).Scalar<std::int32_t>(NETCONFA_IFINDEX, 3);
  auto bytes = t.Done();
  bytes.resize(bytes.size() - 2);
  EXPECT_FALSE(DecodeNetconf(bytes).ok());
}

TEST(RtnetlinkTest, DecodesRouteWithTableMetricMtuAndNames) {
  rtmsg rtm{};
  rtm.rtm_family = AF_INET;
  rtm.rtm_dst_len = 8;
  rtm.rtm_table = RT_TABLE_COMPAT;
  rtm.rtm_protocol = 186;
  rtm.rtm_type = RTN_UNICAST;
  in_addr dst{}, gw{};
  inet_pton(AF_INET, "10.0.0.0", &dst);
  inet_pton(AF_INET, "169.254.10.1", &gw);
  NlBuilder b;
  b.Begin(RTM_NEWROUTE).Header(rtm).Attr(RTA_DST, &dst, 4).Attr(RTA_GATEWAY, &gw, 4);
  b.Scalar<std::uint32_t>(RTA_TABLE, 1000).Scalar<std::uint32_t>(RTA_PRIORITY, 20);
  b.Scalar<std::int32_t>(RTA_OIF, 7);
  b.NestStart(RTA_METRICS).Scalar<std::uint32_t>(RTAX_MTU, 1400).NestEnd();
  auto routes = DecodeRoutes(b.Done());
  ASSERT_TRUE(routes.ok());
  const Route& r = routes->items.at(0);
  EXPECT_EQ(r.dst, "10.0.0.0/8");
  EXPECT_EQ(r.gateway, "169.254.10.1");
  EXPECT_EQ(r.table, 1000u);  // RTA_TABLE wins over the u8 rtm_table
  EXPECT_EQ(r.priority, 20u);
  EXPECT_EQ(r.oif, 7);
  EXPECT_EQ(r.mtu, 1400u);
  EXPECT_EQ(RouteProtocolName(r.rtm_protocol), "bgp");
  EXPECT_EQ(RouteTypeName(r.rtm_type), "unicast");
}

TEST(RtnetlinkTest, RouteWithImpossiblePrefixLengthIsSkipped) {
  rtmsg rtm{};
  rtm.rtm_family = AF_INET;
  rtm.rtm_dst_len = 33;
  NlBuilder b;
  b.Begin(RTM_NEWROUTE).Header(rtm);
  auto routes = DecodeRoutes(b.Done());
  ASSERT_TRUE(routes.ok());
  EXPECT_TRUE(routes->items.empty());
  EXPECT_EQ(routes->warnings.size(), 1u);
}

TEST(RtnetlinkTest, NeighbourStateNames) {
  EXPECT_EQ(NudStateName(NUD_REACHABLE), "REACHABLE");
  EXPECT_EQ(NudStateName(NUD_STALE), "STALE");
  EXPECT_EQ(NudStateName(NUD_DELAY), "DELAY");
  EXPECT_EQ(NudStateName(NUD_PROBE), "PROBE");
  EXPECT_EQ(NudStateName(NUD_FAILED), "FAILED");
  EXPECT_EQ(NudStateName(NUD_INCOMPLETE), "INCOMPLETE");
  EXPECT_EQ(NudStateName(NUD_PERMANENT), "PERMANENT");
  EXPECT_EQ(NudStateName(NUD_NOARP), "NOARP");
  EXPECT_EQ(NudStateName(NUD_NONE), "NONE");
  EXPECT_EQ(NudStateName(NUD_STALE | NUD_PROBE), "STALE|PROBE");
}

TEST(RtnetlinkTest, AddressPrefersLocalAndKeepsPeer) {
  ifaddrmsg ifa{};
  ifa.ifa_family = AF_INET;
  ifa.ifa_prefixlen = 30;
  ifa.ifa_index = 5;
  in_addr local{}, peer{};
  inet_pton(AF_INET, "169.254.10.2", &local);
  inet_pton(AF_INET, "169.254.10.1", &peer);
  NlBuilder b;
  b.Begin(RTM_NEWADDR).Header(ifa).Attr(IFA_ADDRESS, &peer, 4).Attr(IFA_LOCAL, &local, 4);
  auto addrs = DecodeAddrs(b.Done());
  ASSERT_TRUE(addrs.ok());
  EXPECT_EQ(addrs->items.at(0).address, "169.254.10.2");
  EXPECT_EQ(addrs->items[0].peer, "169.254.10.1");
  EXPECT_EQ(addrs->items[0].prefixlen, 30);
}

TEST(RtnetlinkTest, AddressOfWrongLengthForFamilyIsDropped) {
  ifaddrmsg ifa{};
  ifa.ifa_family = AF_INET6;
  in_addr v4{};
  NlBuilder b;
  b.Begin(RTM_NEWADDR).Header(ifa).Attr(IFA_ADDRESS, &v4, 4);
  auto addrs = DecodeAddrs(b.Done());
  ASSERT_TRUE(addrs.ok());
  EXPECT_TRUE(addrs->items.empty());
  EXPECT_GE(addrs->warnings.size(), 1u);
}

// Recorded on this machine's kernel: `ip netns add nlrec`, veth0 (mtu 9001,
// 02:00:00:00:00:01) <-> veth1, 169.254.10.2/30 and 2001:db8::2/125 on veth0,
// neighbour 169.254.10.1 PERMANENT and 169.254.10.3 INCOMPLETE, 10.0.0.0/8
// via 169.254.10.1 mtu 1400 metric 20 proto static table 100, blackhole
// 192.0.2.0/24 proto 186.
TEST(RtnetlinkRecordedTest, Links) {
  auto links = DecodeLinks(AsBytes(testdata::kRecordedLink));
  ASSERT_TRUE(links.ok()) << links.error().what;
  EXPECT_EQ(links->warnings.size(), 0u);
  auto veth0 = std::find_if(links->items.begin(), links->items.end(),
                            [](const Link& l) { return l.ifname == "veth0"; });
  ASSERT_NE(veth0, links->items.end());
  EXPECT_EQ(veth0->kind, "veth");
  EXPECT_EQ(veth0->mtu, 9001u);
  EXPECT_EQ(veth0->address, "02:00:00:00:00:01");
  EXPECT_TRUE(veth0->admin_up());
  EXPECT_TRUE(veth0->stats64.has_value());
  EXPECT_TRUE(veth0->link.has_value());  // the peer, veth1
}

TEST(RtnetlinkRecordedTest, AddressesNeighboursRoutes) {
  auto addrs = DecodeAddrs(AsBytes(testdata::kRecordedAddr));
  ASSERT_TRUE(addrs.ok());
  EXPECT_EQ(addrs->warnings.size(), 0u);
  bool v4 = false, v6 = false;
  for (const auto& a : addrs->items) {
    if (a.address == "169.254.10.2" && a.prefixlen == 30) v4 = true;
    if (a.address == "2001:db8::2" && a.prefixlen == 125) v6 = true;
  }
  EXPECT_TRUE(v4);
  EXPECT_TRUE(v6);

  auto neighs = DecodeNeighs(AsBytes(testdata::kRecordedNeigh));
  ASSERT_TRUE(neighs.ok());
  bool permanent = false, incomplete = false;
  for (const auto& n : neighs->items) {
    if (n.dst == "169.254.10.1" && NudStateName(n.ndm_state) == "PERMANENT" &&
        n.lladdr == "02:00:00:00:00:09")
      permanent = true;
    if (n.dst == "169.254.10.3" && NudStateName(n.ndm_state) == "INCOMPLETE") incomplete = true;
  }
  EXPECT_TRUE(permanent);
  EXPECT_TRUE(incomplete);

  auto routes = DecodeRoutes(AsBytes(testdata::kRecordedRoute));
  ASSERT_TRUE(routes.ok());
  EXPECT_EQ(routes->warnings.size(), 0u);
  bool table100 = false, blackhole = false, local = false;
  for (const auto& r : routes->items) {
    if (r.dst == "10.0.0.0/8" && r.table == 100 && r.mtu == 1400u && r.priority == 20 &&
        r.gateway == "169.254.10.1" && RouteProtocolName(r.rtm_protocol) == "static")
      table100 = true;
    if (r.dst == "192.0.2.0/24" && RouteTypeName(r.rtm_type) == "blackhole" &&
        RouteProtocolName(r.rtm_protocol) == "bgp")
      blackhole = true;
    if (r.table == RT_TABLE_LOCAL && RouteTypeName(r.rtm_type) == "local") local = true;
  }
  EXPECT_TRUE(table100);
  EXPECT_TRUE(blackhole);
  EXPECT_TRUE(local);  // every table, not only main
}

}  // namespace
}  // namespace edgediag::netlink

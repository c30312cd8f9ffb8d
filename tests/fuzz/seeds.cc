// Writes the netlink seed inputs of the fuzz corpora (tests/fuzz/corpus/):
// the kernel replies recorded in tests/netlink/recorded_netlink.h, and, for
// the families and message types no recording holds (netconf, WireGuard,
// XFRM, generic netlink and ethtool replies, NLMSG_ERROR and NLMSG_DONE with
// and without extended ACKs), the messages the unit tests build.
// usage: fuzz_seeds CORPUS_DIR   (scripts/fuzz --seed runs it, then merges)
#include <arpa/inet.h>
#include <linux/ethtool_netlink.h>
#include <linux/genetlink.h>
#include <linux/netconf.h>
#include <linux/rtnetlink.h>
#include <linux/wireguard.h>
#include <linux/xfrm.h>
#include <netinet/in.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <span>
#include <string>
#include <vector>

#include "tests/netlink/nl_builder.h"
#include "tests/netlink/recorded_netlink.h"

namespace {

using edgediag::netlink::testing::NlBuilder;
namespace fs = std::filesystem;
namespace rec = edgediag::netlink::testdata;

fs::path root;

void Write(const std::string& target, const std::string& name, std::span<const std::byte> b) {
  fs::create_directories(root / target);
  std::ofstream(root / target / ("seed-" + name), std::ios::binary)
      .write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
}
template <std::size_t N>
void Write(const std::string& target, const std::string& name, const std::uint8_t (&a)[N]) {
  Write(target, name, std::as_bytes(std::span(a)));
}

std::vector<std::uint8_t> Fill(std::size_t n, std::uint8_t v) { return std::vector<std::uint8_t>(n, v); }

void Netconf() {
  NlBuilder b;
  for (int ifindex : {7, NETCONFA_IFINDEX_ALL, NETCONFA_IFINDEX_DEFAULT}) {
    netconfmsg ncm{};
    ncm.ncm_family = AF_INET;
    b.Begin(RTM_NEWNETCONF).Header(ncm).Scalar<std::int32_t>(NETCONFA_IFINDEX, ifindex);
    b.Scalar<std::int32_t>(NETCONFA_FORWARDING, 1).Scalar<std::int32_t>(NETCONFA_RP_FILTER, 2);
  }
  netconfmsg v6{};
  v6.ncm_family = AF_INET6;
  b.Begin(RTM_NEWNETCONF).Header(v6).Scalar<std::int32_t>(NETCONFA_IFINDEX, 3);
  b.Scalar<std::int16_t>(NETCONFA_FORWARDING, 1);  // wrong size
  Write("netlink_netconf_fuzz", "dump", b.Done());
}

void Genl() {
  genlmsghdr g{CTRL_CMD_NEWFAMILY, 2, 0};
  NlBuilder b;
  b.Begin(GENL_ID_CTRL, 0).Header(g).Str(CTRL_ATTR_FAMILY_NAME, "wireguard");
  b.Scalar<std::uint16_t>(CTRL_ATTR_FAMILY_ID, 0x1d);
  Write("netlink_genl_fuzz", "family", b.Done());
  genlmsghdr e{ETHTOOL_MSG_MODULE_EEPROM_GET_REPLY, 1, 0};
  NlBuilder eeprom;
  std::vector<std::uint8_t> page(128, 0);
  page[0] = 0x03;
  page[92] = 0x60;
  eeprom.Begin(0x15, 0).Header(e).Bytes(ETHTOOL_A_MODULE_EEPROM_DATA, page);
  Write("netlink_genl_fuzz", "eeprom", eeprom.Done());
}

void Errors() {
  NlBuilder b;
  nlmsgerr e{};
  e.error = -22;
  e.msg.nlmsg_len = sizeof(nlmsghdr);
  b.Begin(NLMSG_ERROR, NLM_F_ACK_TLVS | NLM_F_CAPPED).Header(e);
  b.Str(NLMSGERR_ATTR_MSG, "Unknown device type").Scalar<std::uint32_t>(NLMSGERR_ATTR_OFFS, 20);
  Write("netlink_error_fuzz", "extack-capped", b.Done());

  // Not capped: the request is echoed before the TLVs.
  NlBuilder echo;
  nlmsgerr full{};
  full.error = -95;
  full.msg.nlmsg_len = sizeof(nlmsghdr) + 8;
  full.msg.nlmsg_type = RTM_GETLINK;
  echo.Begin(NLMSG_ERROR, NLM_F_ACK_TLVS).Header(full).Header(std::uint64_t{0});
  echo.Str(NLMSGERR_ATTR_MSG, "Operation not supported here");
  Write("netlink_error_fuzz", "extack-echoed", echo.Done());

  NlBuilder plain;  // no ext-ack; an ACK; errors in NLMSG_DONE
  plain.Begin(NLMSG_ERROR, 0).Header(nlmsgerr{.error = -1, .msg = {}});
  plain.Begin(NLMSG_ERROR, 0).Header(nlmsgerr{});
  plain.Begin(NLMSG_DONE).Header(std::int32_t{-1});
  plain.Begin(NLMSG_DONE, NLM_F_ACK_TLVS).Header(std::int32_t{-16});
  plain.Str(NLMSGERR_ATTR_MSG, "busy");
  plain.Begin(NLMSG_DONE).Header(std::int32_t{0});
  Write("netlink_error_fuzz", "plain", plain.Done());
}

void Wireguard() {
  NlBuilder b;
  genlmsghdr g{WG_CMD_GET_DEVICE, 1, 0};
  b.Begin(0x20).Header(g);
  b.Scalar<std::uint32_t>(WGDEVICE_A_IFINDEX, 7).Str(WGDEVICE_A_IFNAME, "wg0");
  b.Bytes(WGDEVICE_A_PRIVATE_KEY, Fill(32, 0x99)).Bytes(WGDEVICE_A_PUBLIC_KEY, Fill(32, 0x11));
  b.Scalar<std::uint16_t>(WGDEVICE_A_LISTEN_PORT, 51820).Scalar<std::uint32_t>(WGDEVICE_A_FWMARK, 0x42);
  b.NestStart(WGDEVICE_A_PEERS).NestStart(0);
  b.Bytes(WGPEER_A_PUBLIC_KEY, Fill(32, 0x22)).Bytes(WGPEER_A_PRESHARED_KEY, Fill(32, 0x98));
  sockaddr_in ep{};
  ep.sin_family = AF_INET;
  ep.sin_port = htons(51820);
  inet_pton(AF_INET, "198.51.100.7", &ep.sin_addr);
  b.Attr(WGPEER_A_ENDPOINT, &ep, sizeof(ep));
  std::int64_t ts[2] = {1700000000, 5};
  b.Attr(WGPEER_A_LAST_HANDSHAKE_TIME, ts, sizeof(ts));
  b.Scalar<std::uint64_t>(WGPEER_A_RX_BYTES, 1000).Scalar<std::uint64_t>(WGPEER_A_TX_BYTES, 2000);
  b.Scalar<std::uint16_t>(WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL, 25);
  b.NestStart(WGPEER_A_ALLOWEDIPS).NestStart(0);
  in_addr a{};
  inet_pton(AF_INET, "10.1.0.0", &a);
  b.Scalar<std::uint16_t>(WGALLOWEDIP_A_FAMILY, AF_INET).Attr(WGALLOWEDIP_A_IPADDR, &a, 4);
  b.Scalar<std::uint8_t>(WGALLOWEDIP_A_CIDR_MASK, 16).NestEnd();
  b.NestEnd().NestEnd().NestEnd();
  // The same device continued in a second message, as a large dump splits.
  b.Begin(0x20).Header(g).NestStart(WGDEVICE_A_PEERS).NestStart(1);
  b.Bytes(WGPEER_A_PUBLIC_KEY, Fill(32, 0x33)).NestEnd().NestEnd();
  Write("netlink_wireguard_fuzz", "device", b.Done());
}

void Xfrm() {
  xfrm_usersa_info sa{};
  sa.family = AF_INET;
  inet_pton(AF_INET, "192.0.2.1", &sa.saddr.a4);
  inet_pton(AF_INET, "198.51.100.2", &sa.id.daddr.a4);
  sa.id.spi = htonl(0xc0ffee01);
  sa.id.proto = IPPROTO_ESP;
  sa.reqid = 7;
  sa.mode = XFRM_MODE_TUNNEL;
  xfrm_encap_tmpl encap{};
  encap.encap_type = 2;
  encap.encap_sport = htons(4500);
  encap.encap_dport = htons(4500);
  std::vector<std::uint8_t> alg(64 + 4 + 16, 0);
  std::memcpy(alg.data(), "cbc(aes)", 8);
  alg[64] = 128;
  NlBuilder b;
  b.Begin(XFRM_MSG_NEWSA).Header(sa).Bytes(XFRMA_ALG_CRYPT, alg);
  b.Attr(XFRMA_ENCAP, &encap, sizeof(encap)).Scalar<std::uint32_t>(XFRMA_IF_ID, 42);
  xfrm_userpolicy_info p{};
  p.sel.family = AF_INET;
  p.sel.prefixlen_s = 16;
  p.sel.prefixlen_d = 24;
  p.dir = XFRM_POLICY_OUT;
  xfrm_user_tmpl t{};
  t.family = AF_INET;
  t.id.proto = IPPROTO_ESP;
  t.reqid = 7;
  b.Begin(XFRM_MSG_NEWPOLICY).Header(p).Attr(XFRMA_TMPL, &t, sizeof(t));
  b.Scalar<std::uint32_t>(XFRMA_IF_ID, 9);
  Write("netlink_xfrm_fuzz", "sa-policy", b.Done());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: fuzz_seeds CORPUS_DIR\n");
    return 64;
  }
  root = argv[1];
  Write("netlink_rtnetlink_fuzz", "link", rec::kRecordedLink);
  Write("netlink_rtnetlink_fuzz", "addr", rec::kRecordedAddr);
  Write("netlink_rtnetlink_fuzz", "neigh", rec::kRecordedNeigh);
  Write("netlink_rtnetlink_fuzz", "route", rec::kRecordedRoute);
  Write("netlink_sock_diag_fuzz", "diag", rec::kRecordedDiag);
  Write("netlink_error_fuzz", "link", rec::kRecordedLink);
  Netconf();
  Genl();
  Errors();
  Wireguard();
  Xfrm();
  return 0;
}

#include "tests/support/vpn_fixture.h"

#include <fmt/format.h>

#include <stdexcept>
#include <string>

namespace edgediag::testing {

using namespace plugin;

namespace {

Snapshot Base() {
  Snapshot s;
  s.taken_at = "2026-11-26T02:00:00Z";
  s.taken_at_ms = kVpnNowMs;
  s.hostname = "edge-test";
  s.interfaces.push_back({.name = "lo",
                          .ifindex = 1,
                          .mtu = 65536,
                          .admin_up = true,
                          .carrier = true,
                          .operstate = "UNKNOWN"});
  s.interfaces.push_back({.name = "eth0",
                          .ifindex = 2,
                          .mtu = 1500,
                          .admin_up = true,
                          .carrier = true,
                          .operstate = "UP",
                          .lladdr = "52:54:00:00:00:10",
                          .rp_filter = 0});
  s.addresses.push_back(
      {.ifname = "eth0", .ifindex = 2, .family = 4, .address = "203.0.113.2", .prefixlen = 24});
  s.routes.push_back({.dst = "0.0.0.0/0",
                      .gateway = "203.0.113.1",
                      .dev = "eth0",
                      .ifindex = 2,
                      .protocol = "static"});
  s.routes.push_back({.dst = "203.0.113.0/24", .dev = "eth0", .ifindex = 2, .protocol = "kernel"});
  s.routes.push_back({.dst = "203.0.113.2/32",
                      .dev = "eth0",
                      .ifindex = 2,
                      .table = 255,
                      .type = "local",
                      .protocol = "kernel"});
  s.counters.tcp_ext["IPReversePathFilter"] = 0;
  return s;
}

}  // namespace

Snapshot HealthyIpsec() {
  Snapshot s = Base();
  for (auto n : {kSourceKernel, kSourceCounters, kSourceVici, kSourceXfrm, kSourceNftables})
    s.sources[n] = {SourceState::kOk, ""};
  s.interfaces.push_back({.name = "eth1",
                          .ifindex = 3,
                          .mtu = 1500,
                          .admin_up = true,
                          .carrier = true,
                          .operstate = "UP",
                          .rp_filter = 0});
  s.addresses.push_back(
      {.ifname = "eth1", .ifindex = 3, .family = 4, .address = "10.1.1.1", .prefixlen = 24});
  s.routes.push_back({.dst = "10.1.1.0/24", .dev = "eth1", .ifindex = 3, .protocol = "kernel"});

  IpsecConnection c;
  c.name = "site-b";
  c.local_addrs = {"203.0.113.2"};
  c.remote_addrs = {"198.51.100.2"};
  c.version = "IKEv2";
  c.children.push_back({.name = "site-b-tunnel-0",
                        .mode = "TUNNEL",
                        .local_ts = {"10.1.1.0/24"},
                        .remote_ts = {"10.2.0.0/16"},
                        .start_action = "start"});
  s.ipsec_connections.push_back(c);

  IkeSa ike;
  ike.name = "site-b";
  ike.uniqueid = 1;
  ike.version = "2";
  ike.state = "ESTABLISHED";
  ike.local_host = "203.0.113.2";
  ike.remote_host = "198.51.100.2";
  ike.local_port = 500;
  ike.remote_port = 500;
  ike.local_id = "203.0.113.2";
  ike.remote_id = "198.51.100.2";
  ike.initiator = true;
  ike.established = 600;
  ChildSa child;
  child.name = "site-b-tunnel-0";
  child.uniqueid = 1;
  child.reqid = 1;
  child.state = "INSTALLED";
  child.mode = "TUNNEL";
  child.protocol = "ESP";
  child.spi_in = "c1a2b3d4";
  child.spi_out = "d4c3b2a1";
  child.bytes_in = 840000;
  child.bytes_out = 1200000;
  child.packets_in = 1000;
  child.packets_out = 1100;
  child.use_in = 2;
  child.use_out = 1;
  child.install_time = 600;
  child.rekey_time = 2800;
  child.life_time = 3300;
  child.local_ts = {"10.1.1.0/24"};
  child.remote_ts = {"10.2.0.0/16"};
  ike.child_sas.push_back(child);
  s.ike_sas.push_back(ike);

  s.xfrm_states.push_back({.src = "198.51.100.2",
                           .dst = "203.0.113.2",
                           .proto = "esp",
                           .spi = 0xc1a2b3d4,
                           .reqid = 1,
                           .mode = "tunnel",
                           .bytes = 840000,
                           .packets = 1000});
  s.xfrm_states.push_back({.src = "203.0.113.2",
                           .dst = "198.51.100.2",
                           .proto = "esp",
                           .spi = 0xd4c3b2a1,
                           .reqid = 1,
                           .mode = "tunnel",
                           .bytes = 1200000,
                           .packets = 1100});
  s.xfrm_policies.push_back({.src = "10.1.1.0/24",
                             .dst = "10.2.0.0/16",
                             .dir = "out",
                             .action = "allow",
                             .priority = 375423,
                             .tmpl_src = "203.0.113.2",
                             .tmpl_dst = "198.51.100.2",
                             .reqid = 1});
  s.xfrm_policies.push_back({.src = "10.2.0.0/16",
                             .dst = "10.1.1.0/24",
                             .dir = "in",
                             .action = "allow",
                             .priority = 375423,
                             .tmpl_src = "198.51.100.2",
                             .tmpl_dst = "203.0.113.2",
                             .reqid = 1});
  s.xfrm_policies.push_back({.src = "10.2.0.0/16",
                             .dst = "10.1.1.0/24",
                             .dir = "fwd",
                             .action = "allow",
                             .priority = 375423,
                             .tmpl_src = "198.51.100.2",
                             .tmpl_dst = "203.0.113.2",
                             .reqid = 1});

  // VyOS 1.4 renders `nat source rule 10 exclude` as a return and rule 100
  // as the masquerade, both in table ip vyos_nat, chain POSTROUTING.
  s.nat_rules.push_back({.family = "ip",
                         .table = "vyos_nat",
                         .chain = "POSTROUTING",
                         .hook = "postrouting",
                         .priority = 100,
                         .handle = 11,
                         .verdict = "return",
                         .daddr = {"10.2.0.0/16"},
                         .oifname = "eth0",
                         .text = "oifname \"eth0\" ip daddr 10.2.0.0/16 counter return comment "
                                 "\"SRC-NAT-10\""});
  s.nat_rules.push_back({.family = "ip",
                         .table = "vyos_nat",
                         .chain = "POSTROUTING",
                         .hook = "postrouting",
                         .priority = 100,
                         .handle = 12,
                         .verdict = "masquerade",
                         .saddr = {"10.1.1.0/24"},
                         .oifname = "eth0",
                         .text = "oifname \"eth0\" ip saddr 10.1.1.0/24 counter masquerade "
                                 "comment \"SRC-NAT-100\""});
  s.counters.xfrm_stat = {{"XfrmInNoPols", 0},
                          {"XfrmInTmplMismatch", 0},
                          {"XfrmOutNoStates", 0},
                          {"XfrmOutPolBlock", 0},
                          {"XfrmOutStateModeError", 0}};
  return s;
}

Snapshot PreviousIpsec() {
  Snapshot s = HealthyIpsec();
  s.taken_at = "2026-11-26T01:59:30Z";
  s.taken_at_ms = kVpnNowMs - 30000;
  ChildSa& c = s.ike_sas[0].child_sas[0];
  c.bytes_in -= 42000;
  c.bytes_out -= 60000;
  c.packets_in -= 50;
  c.packets_out -= 55;
  c.install_time = 570;
  return s;
}

Snapshot RouteBasedIpsec() {
  Snapshot s = HealthyIpsec();
  s.interfaces.push_back({.name = "vti1",
                          .ifindex = 9,
                          .kind = "xfrm",
                          .mtu = 1436,
                          .admin_up = true,
                          .carrier = true,
                          .operstate = "UNKNOWN",
                          .rp_filter = 0});
  s.addresses.push_back(
      {.ifname = "vti1", .ifindex = 9, .family = 4, .address = "169.254.0.1", .prefixlen = 30});
  s.routes.push_back({.dst = "169.254.0.0/30", .dev = "vti1", .ifindex = 9, .protocol = "kernel"});
  s.routes.push_back({.dst = "10.2.0.0/16", .dev = "vti1", .ifindex = 9, .protocol = "static"});
  s.ipsec_connections[0].children[0].name = "site-b-vti";
  ChildSa& c = s.ike_sas[0].child_sas[0];
  c.name = "site-b-vti";
  c.if_id_in = 2;
  c.if_id_out = 2;
  for (auto& p : s.xfrm_policies) p.if_id = 2;
  for (auto& x : s.xfrm_states) x.if_id = 2;
  // Route-based traffic is not matched on addresses: no NAT exclusion needed.
  s.nat_rules.erase(s.nat_rules.begin());
  return s;
}

Snapshot HealthyWireguard() {
  Snapshot s = Base();
  for (auto n : {kSourceKernel, kSourceCounters, kSourceWireguard})
    s.sources[n] = {SourceState::kOk, ""};
  s.interfaces.push_back({.name = "wg0",
                          .ifindex = 5,
                          .kind = "wireguard",
                          .mtu = 1420,
                          .admin_up = true,
                          .carrier = true,
                          .operstate = "UNKNOWN",
                          .rp_filter = 2});
  s.addresses.push_back(
      {.ifname = "wg0", .ifindex = 5, .family = 4, .address = "10.99.0.1", .prefixlen = 24});
  s.routes.push_back({.dst = "10.99.0.0/24", .dev = "wg0", .ifindex = 5, .protocol = "kernel"});
  s.routes.push_back({.dst = "192.168.50.0/24", .dev = "wg0", .ifindex = 5, .protocol = "static"});
  s.routes.push_back({.dst = "192.168.60.0/24", .dev = "wg0", .ifindex = 5, .protocol = "static"});

  WgInterface w;
  w.name = "wg0";
  w.ifindex = 5;
  w.public_key = "rtrPublicKeyCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC=";
  w.listen_port = 51820;
  const std::int64_t now = kVpnNowMs / 1000;
  w.peers.push_back({.public_key = kHqKey,
                     .endpoint = "198.51.100.10:51820",
                     .allowed_ips = {"10.99.0.2/32", "192.168.50.0/24"},
                     .last_handshake = now - 30,
                     .rx_bytes = 5000000,
                     .tx_bytes = 6000000,
                     .persistent_keepalive = 25,
                     .name = "hq"});
  w.peers.push_back({.public_key = kBranchKey,
                     .endpoint = "198.51.100.20:51820",
                     .allowed_ips = {"10.99.0.3/32", "192.168.60.0/24"},
                     .last_handshake = now - 60,
                     .rx_bytes = 700000,
                     .tx_bytes = 900000,
                     .name = "branch"});
  s.wireguard.push_back(w);
  return s;
}

Snapshot PreviousWireguard() {
  Snapshot s = HealthyWireguard();
  s.taken_at = "2026-11-26T01:59:30Z";
  s.taken_at_ms = kVpnNowMs - 30000;
  for (auto& p : s.wireguard[0].peers) {
    p.rx_bytes -= 40000;
    p.tx_bytes -= 50000;
  }
  return s;
}

WgPeer& Peer(Snapshot& s, const char* name) {
  for (auto& w : s.wireguard)
    for (auto& p : w.peers)
      if (p.name == name) return p;
  throw std::runtime_error(std::string("no peer ") + name);
}

Snapshot ManyWireguardPeers(int peers) {
  Snapshot s = HealthyWireguard();
  WgInterface& w = s.wireguard[0];
  w.peers.clear();
  s.routes.push_back({.dst = "172.16.0.0/12", .dev = "wg0", .ifindex = 5, .protocol = "kernel"});
  const std::int64_t now = kVpnNowMs / 1000;
  w.peers.reserve(peers);
  for (int i = 0; i < peers; ++i) {
    unsigned host = 0xac100000u + 2 + static_cast<unsigned>(i);  // 172.16.0.2 + i
    std::string tunnel = fmt::format("{}.{}.{}.{}/32", host >> 24, (host >> 16) & 255,
                                     (host >> 8) & 255, host & 255);
    std::string lan = fmt::format("{}.{}.{}.0/24", 10 + (i >> 16), (i >> 8) & 255, i & 255);
    s.routes.push_back({.dst = lan, .dev = "wg0", .ifindex = 5, .protocol = "bgp"});
    w.peers.push_back({.public_key = fmt::format("peer{:06d}Key{:0>32}=", i, i),
                       .endpoint = fmt::format("198.51.{}.{}:51820", (i >> 8) & 255, i & 255),
                       .allowed_ips = {tunnel, lan},
                       .last_handshake = now - 20 - i % 100,
                       .rx_bytes = 100000u + static_cast<unsigned>(i),
                       .tx_bytes = 120000u + static_cast<unsigned>(i),
                       .persistent_keepalive = static_cast<std::uint16_t>(i % 2 ? 25 : 0)});
  }
  return s;
}

}  // namespace edgediag::testing

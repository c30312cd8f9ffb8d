#include "tests/support/dx_fixture.h"

#include <stdexcept>
#include <string>

namespace edgediag::testing {

using namespace plugin;

Snapshot HealthyDx() {
  Snapshot s;
  s.taken_at = "2026-11-26T02:00:00Z";
  s.taken_at_ms = 1795658400000;
  s.hostname = "edge-test";
  for (auto n : {kSourceKernel, kSourceSockets, kSourceMd5, kSourceCounters, kSourceFrr, kSourceVif})
    s.sources[n] = {SourceState::kOk, ""};
  s.interfaces.push_back({.name = "eth1", .ifindex = 3, .mtu = 1500, .admin_up = true,
                          .carrier = true, .operstate = "UP", .lladdr = "52:54:00:00:00:01"});
  s.interfaces.push_back({.name = "eth1.101", .ifindex = 7, .kind = "vlan", .link = 3,
                          .parent = "eth1", .vlan_id = 101, .vlan_protocol = 0x8100, .mtu = 1500,
                          .admin_up = true, .carrier = true, .operstate = "UP"});
  s.addresses.push_back({.ifname = "eth1.101", .ifindex = 7, .family = 4,
                         .address = "169.254.10.2", .prefixlen = 30});
  s.neighbours.push_back({.ifname = "eth1.101", .ifindex = 7, .family = 4,
                          .address = "169.254.10.1", .lladdr = "52:54:00:aa:bb:cc",
                          .state = "REACHABLE"});
  KeyProperties key = DescribeKey(std::string_view(kTestKey), kTestSalt);
  TcpSocket conn{.state = "ESTABLISHED", .local = "169.254.10.2", .local_port = 40001,
                 .remote = "169.254.10.1", .remote_port = 179, .snd_mss = 1448, .rcv_mss = 1448,
                 .pmtu = 1500};
  conn.md5_keys.push_back({"169.254.10.1", 32, key});
  s.tcp_sockets.push_back(conn);
  BgpNeighbor b{.address = "169.254.10.1", .bgpState = "Established", .localAs = 65010,
                .remoteAs = 64512, .hostLocal = "169.254.10.2", .hostForeign = "169.254.10.1"};
  b.connectionsEstablished = 1;
  b.passwordConfigured = true;
  b.prefixesSent = 3;
  s.bgp_neighbors.push_back(b);
  Vif v;
  v.virtualInterfaceId = "dxvif-test1";
  v.virtualInterfaceName = "test-private";
  v.virtualInterfaceType = "private";
  v.virtualInterfaceState = "available";
  v.vlan = 101;
  v.asn = 65010;
  v.amazonSideAsn = 64512;
  v.authKey = key;
  v.amazonAddress = "169.254.10.1/30";
  v.customerAddress = "169.254.10.2/30";
  v.addressFamily = "ipv4";
  v.mtu = 1500;
  s.vifs.push_back(v);
  return s;
}

Interface& Iface(Snapshot& s, const char* name) {
  for (auto& i : s.interfaces)
    if (i.name == name) return i;
  throw std::runtime_error(std::string("no interface ") + name);
}

}  // namespace edgediag::testing

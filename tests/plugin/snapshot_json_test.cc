#include "plugin/snapshot_json.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>

#include "tests/support/dx_fixture.h"

namespace edgediag::plugin {
namespace {

Snapshot Everything() {
  Snapshot s = testing::HealthyDx();
  s.interfaces[1].rx_power_mw = 0.5;
  s.interfaces[1].rp_filter = 1;
  s.routes.push_back({.family = 6, .dst = "2001:db8::/64", .gateway = "fe80::1", .dev = "eth1",
                      .ifindex = 3, .table = 100, .type = "unicast", .protocol = "bgp",
                      .metric = 20, .mtu = 1400});
  s.counters.tcp_ext["TCPMD5Failure"] = 12;
  s.counters.xfrm_stat["XfrmOutStateModeError"] = 3;
  s.ipsec_connections.push_back({.name = "site-b", .local_addrs = {"192.0.2.1"},
                                 .remote_addrs = {"198.51.100.1"}, .version = "IKEv2",
                                 .if_id_in = 7,
                                 .children = {{"net", "TUNNEL", {"10.0.0.0/24"}, {"10.1.0.0/24"}, "trap"}}});
  IkeSa ike{.name = "site-b", .uniqueid = 4, .version = "2", .state = "ESTABLISHED",
            .local_host = "192.0.2.1", .remote_host = "198.51.100.1", .local_port = 4500,
            .nat_remote = true, .established = 77};
  ike.child_sas.push_back({.name = "net", .uniqueid = 9, .reqid = 1, .state = "INSTALLED",
                           .encap = true, .bytes_out = 9000, .use_out = 2,
                           .local_ts = {"10.0.0.0/24"}, .remote_ts = {"10.1.0.0/24"}});
  s.ike_sas.push_back(ike);
  s.xfrm_states.push_back({.src = "192.0.2.1", .dst = "198.51.100.1", .proto = "esp",
                           .spi = 0xc0ffee, .reqid = 1, .mode = "tunnel", .encap_sport = 4500,
                           .encap_dport = 4500});
  s.xfrm_policies.push_back({.src = "10.0.0.0/24", .dst = "10.1.0.0/24", .dir = "out",
                             .action = "allow", .priority = 375423, .reqid = 1});
  s.nat_rules.push_back({.family = "ip", .table = "nat", .chain = "postrouting",
                         .hook = "postrouting", .priority = 100, .handle = 4,
                         .verdict = "masquerade", .oifname = "eth0", .text = "oifname \"eth0\" masquerade"});
  s.wireguard.push_back({.name = "wg0", .ifindex = 9, .public_key = "AAAA=", .listen_port = 51820,
                         .peers = {{.public_key = "BBBB=", .endpoint = "[2001:db8::9]:51820",
                                    .allowed_ips = {"10.9.0.0/24"}, .last_handshake = 1795658300,
                                    .rx_bytes = 1, .tx_bytes = 2, .persistent_keepalive = 25}}});
  s.probes.push_back({.target = "169.254.10.1", .dev = "eth1.101", .size = 1500, .ok = true});
  s.sources[kSourceVici] = {SourceState::kPermissionDenied, "run as root"};
  s.sources[kSourceKernel] = {SourceState::kOk, "", {"RTM_NEWLINK: attribute 4 is 2 bytes, not 4"}};
  return s;
}

TEST(SnapshotJson, RoundTripIsLossless) {
  Snapshot s = Everything();
  auto back = SnapshotFromJson(SnapshotToJson(s));
  ASSERT_TRUE(back.ok()) << back.error().what;
  EXPECT_EQ(*back, s);
}

TEST(SnapshotJson, RoundTripThroughAFileIsLossless) {
  Snapshot s = Everything();
  std::string path = ::testing::TempDir() + "/snap-" + std::to_string(getpid()) + ".json";
  ASSERT_TRUE(SaveSnapshot(s, path).ok());
  auto back = LoadSnapshot(path);
  ASSERT_TRUE(back.ok()) << back.error().what;
  EXPECT_EQ(*back, s);
  unlink(path.c_str());
}

// A number that does not fit its field is refused with its path, not cast.
TEST(SnapshotJson, ANumberOutOfRangeIsNamed) {
  std::string path = ::testing::TempDir() + "/snap-range-" + std::to_string(getpid()) + ".json";
  struct Case {
    std::function<void(nlohmann::json&)> edit;
    std::string error;
  };
  const Case cases[] = {
      {[](nlohmann::json& j) { j["interfaces"][0]["mtu"] = 70000000000; },
       "/interfaces/0/mtu: 70000000000 is out of range for that field"},
      {[](nlohmann::json& j) { j["interfaces"][0]["vlan_id"] = -5; },
       "/interfaces/0/vlan_id: -5 is out of range for that field"},
      {[](nlohmann::json& j) { j["wireguard"][0]["listen_port"] = 65536; },
       "/wireguard/0/listen_port: 65536 is out of range for that field"},
      {[](nlohmann::json& j) { j["interfaces"][0]["mtu"] = 1500.5; },
       "/interfaces/0/mtu: 1500.5 is out of range for that field"},
      // -1 into a 64-bit counter: nlohmann's own == says equal.
      {[](nlohmann::json& j) { j["counters"]["tcp_ext"]["TCPMD5Failure"] = -1; },
       "/counters/tcp_ext/TCPMD5Failure: -1 is out of range for that field"},
      // Keys from the file are escaped in the path (RFC 6901), not looked up.
      {[](nlohmann::json& j) { j["counters"]["tcp_ext"]["a/b~c"] = 1.5; },
       "/counters/tcp_ext/a~1b~0c: 1.5 is out of range for that field"},
  };
  for (const auto& c : cases) {
    nlohmann::json j = SnapshotToJson(Everything());
    c.edit(j);
    {
      std::ofstream f(path);
      f << j.dump();
    }
    auto r = LoadSnapshot(path);
    ASSERT_FALSE(r.ok()) << c.error;
    EXPECT_EQ(r.error().code, Error::Code::kInvalidInput);
    EXPECT_EQ(r.error().what, path + ": " + c.error);
  }
  // In range, and keys the snapshot does not know, load.
  nlohmann::json j = SnapshotToJson(Everything());
  j["interfaces"][0]["mtu"] = 9001;
  j["from_a_newer_version"] = {{"n", 1e30}};
  {
    std::ofstream f(path);
    f << j.dump();
  }
  EXPECT_TRUE(LoadSnapshot(path).ok());
  unlink(path.c_str());
}

TEST(SnapshotJson, AbsentOptionalsStayAbsent) {
  Snapshot s;
  s.interfaces.push_back({.name = "eth0"});
  auto back = SnapshotFromJson(SnapshotToJson(s));
  ASSERT_TRUE(back.ok());
  EXPECT_FALSE(back->interfaces[0].vlan_id.has_value());
  EXPECT_FALSE(back->interfaces[0].rx_bytes.has_value());
}

TEST(SnapshotJson, RejectsAnotherDocument) {
  auto r = SnapshotFromJson(nlohmann::json{{"schema", "edgediag.report/1"}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().what, "not an edgediag snapshot (\"schema\" is not \"edgediag.snapshot/1\")");
}

TEST(SnapshotJson, RejectsAWrongType) {
  auto j = SnapshotToJson(Snapshot{});
  j["interfaces"] = "eth0";
  auto r = SnapshotFromJson(j);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Error::Code::kInvalidInput);
}

TEST(SnapshotJson, TheKeyNeverReachesTheDocument) {
  std::string text = SnapshotToJson(testing::HealthyDx()).dump();
  EXPECT_EQ(text.find(testing::kTestKey), std::string::npos);
}

// SourceStateName spells each state as the snapshot's JSON does.
TEST(SnapshotJson, SourceStateNamesAreTheJsonNames) {
  for (auto st : {SourceState::kNotCollected, SourceState::kOk, SourceState::kUnavailable,
                  SourceState::kPermissionDenied}) {
    Snapshot s;
    s.sources["x"] = {st, ""};
    EXPECT_EQ(SourceStateName(st), SnapshotToJson(s)["sources"]["x"]["state"].get<std::string>());
  }
}

}  // namespace
}  // namespace edgediag::plugin

// list-conn / list-sa messages -> Snapshot values, on charon 5.9.8's
// recorded replies (tests/data/vici/) and on hand-built edge cases.
#include "plugin/ipsec_vici.h"

#include <gtest/gtest.h>

#include "tests/support/fake_charon.h"
#include "vici/parser.h"

namespace edgediag::plugin {
namespace {

using edgediag::testing::FakeCharon;

std::vector<vici::Message> Events(const std::string& fixture) {
  std::vector<vici::Message> out;
  for (const vici::Packet& p : FakeCharon::Frames(FakeCharon::Fixture(fixture))) {
    if (p.type != vici::PacketType::kEvent) continue;
    auto m = vici::ParseMessage(p.body);
    if (!m)
      ADD_FAILURE() << m.error().what;
    else
      out.push_back(std::move(*m));
  }
  return out;
}

vici::Entry Value(std::string name, std::string value) {
  return vici::Entry{vici::Entry::Kind::kValue, std::move(name), std::move(value), {}, {}};
}

TEST(IpsecViciTest, ConnectionsFromRecordedListConns) {
  ViciWarnings w;
  std::vector<IpsecConnection> conns;
  for (const auto& e : Events("list-conns.bin")) {
    for (auto& c : ConnectionsFromListConn(e, w)) conns.push_back(c);
  }
  EXPECT_EQ(w.count, 0);
  ASSERT_EQ(conns.size(), 2u);
  const IpsecConnection& a = conns[0];
  EXPECT_EQ(a.name, "site-a");
  EXPECT_EQ(a.local_addrs, std::vector<std::string>{"192.0.2.1"});
  EXPECT_EQ(a.remote_addrs, std::vector<std::string>{"198.51.100.7"});
  EXPECT_EQ(a.version, "IKEv2");
  EXPECT_FALSE(a.if_id_in);  // 5.9.8 does not list them
  ASSERT_EQ(a.children.size(), 2u);
  EXPECT_EQ(a.children[0].name, "lan-to-lan");
  EXPECT_EQ(a.children[0].mode, "TUNNEL");
  EXPECT_EQ(a.children[0].local_ts, std::vector<std::string>{"10.1.0.0/16"});
  EXPECT_EQ(a.children[0].remote_ts, (std::vector<std::string>{"10.2.0.0/16", "10.3.0.0/24"}));
  EXPECT_EQ(a.children[1].local_ts, std::vector<std::string>{"10.1.5.0/24[udp/sip]"});
  EXPECT_EQ(conns[1].name, "roadwarrior");
  EXPECT_EQ(conns[1].version, "IKEv1");
  EXPECT_EQ(conns[1].children.at(0).mode, "TRANSPORT");
  EXPECT_EQ(conns[1].children.at(0).remote_ts, std::vector<std::string>{"dynamic"});
}

TEST(IpsecViciTest, IkeSasFromRecordedListSas) {
  ViciWarnings w;
  std::vector<IkeSa> sas;
  for (const auto& e : Events("list-sas-initiator.bin")) {
    for (auto& s : IkeSasFromListSa(e, w)) sas.push_back(s);
  }
  EXPECT_EQ(w.count, 0);
  ASSERT_EQ(sas.size(), 2u);
  const IkeSa& ike = sas[0];
  EXPECT_EQ(ike.name, "c2");
  EXPECT_EQ(ike.uniqueid, 2u);
  EXPECT_EQ(ike.version, "2");
  EXPECT_EQ(ike.state, "ESTABLISHED");
  EXPECT_EQ(ike.local_host, "127.0.0.1");
  EXPECT_EQ(ike.local_port, 14500);
  EXPECT_EQ(ike.remote_port, 4500);
  EXPECT_EQ(ike.local_id, "init-2");
  EXPECT_EQ(ike.remote_id, "resp-2");
  EXPECT_TRUE(ike.initiator);
  EXPECT_FALSE(ike.nat_local);
  EXPECT_TRUE(ike.nat_remote);  // non-standard IKE ports look like NAT to charon
  EXPECT_TRUE(ike.nat_any);
  EXPECT_EQ(ike.established, 0u);
  ASSERT_EQ(ike.child_sas.size(), 2u);
  const ChildSa& c = ike.child_sas[0];
  EXPECT_EQ(c.name, "ch1");  // the section is "ch1-2": name-uniqueid
  EXPECT_EQ(c.uniqueid, 2u);
  EXPECT_EQ(c.reqid, 2u);
  EXPECT_EQ(c.state, "INSTALLED");
  EXPECT_EQ(c.mode, "TUNNEL");
  EXPECT_EQ(c.protocol, "ESP");
  EXPECT_TRUE(c.encap);
  EXPECT_EQ(c.spi_in.size(), 8u);
  EXPECT_EQ(c.bytes_in, 0u);
  EXPECT_FALSE(c.use_in);  // absent: no packet yet
  EXPECT_EQ(c.life_time, 3960u);
  EXPECT_EQ(c.install_time, 0u);
  EXPECT_EQ(c.local_ts, std::vector<std::string>{"10.2.1.0/24"});
  EXPECT_EQ(c.remote_ts, std::vector<std::string>{"10.102.1.0/24"});
}

TEST(IpsecViciTest, ResponderSideIsNotInitiator) {
  ViciWarnings w;
  auto events = Events("list-sas-responder.bin");
  ASSERT_FALSE(events.empty());
  auto sas = IkeSasFromListSa(events[0], w);
  ASSERT_EQ(sas.size(), 1u);
  EXPECT_FALSE(sas[0].initiator);
  EXPECT_EQ(sas[0].local_port, 4500);
}

TEST(IpsecViciTest, CountersUseAndInterfaceIds) {
  vici::Message event;
  vici::Entry ike{vici::Entry::Kind::kSection, "vpn", "", {}, {}};
  ike.section.entries = {Value("uniqueid", "7"), Value("state", "ESTABLISHED")};
  vici::Entry children{vici::Entry::Kind::kSection, "child-sas", "", {}, {}};
  vici::Entry child{vici::Entry::Kind::kSection, "net-9", "", {}, {}};
  child.section.entries = {Value("name", "net"),          Value("bytes-in", "18446744073709551615"),
                           Value("packets-out", "12"),    Value("use-in", "3"),
                           Value("if-id-in", "0000002a"), Value("if-id-out", "ffffffff")};
  children.section.entries.push_back(child);
  ike.section.entries.push_back(children);
  event.entries.push_back(ike);
  ViciWarnings w;
  auto sas = IkeSasFromListSa(event, w);
  EXPECT_EQ(w.count, 0);
  ASSERT_EQ(sas.at(0).child_sas.size(), 1u);
  const ChildSa& c = sas[0].child_sas[0];
  EXPECT_EQ(c.bytes_in, 18446744073709551615u);
  EXPECT_EQ(c.packets_out, 12u);
  EXPECT_EQ(c.use_in, 3u);
  EXPECT_FALSE(c.use_out);
  EXPECT_EQ(c.if_id_in, 42u);
  EXPECT_EQ(c.if_id_out, 0xffffffffu);
}

TEST(IpsecViciTest, MalformedNumbersAreUnsetAndCounted) {
  vici::Message event;
  vici::Entry ike{vici::Entry::Kind::kSection, "vpn", "", {}, {}};
  ike.section.entries = {Value("uniqueid", "x7"), Value("local-port", "70000"),
                         Value("established", ""), Value("remote-port", "500 ")};
  event.entries.push_back(ike);
  ViciWarnings w;
  auto sas = IkeSasFromListSa(event, w);
  ASSERT_EQ(sas.size(), 1u);
  EXPECT_EQ(sas[0].uniqueid, 0u);
  EXPECT_FALSE(sas[0].local_port);
  EXPECT_FALSE(sas[0].remote_port);
  EXPECT_FALSE(sas[0].established);
  EXPECT_EQ(w.count, 4);
}

TEST(IpsecViciTest, IgnoresStrayValuesAtTopLevel) {
  vici::Message event;
  event.entries.push_back(Value("unexpected", "1"));
  ViciWarnings w;
  EXPECT_TRUE(IkeSasFromListSa(event, w).empty());
  EXPECT_TRUE(ConnectionsFromListConn(event, w).empty());
}

}  // namespace
}  // namespace edgediag::plugin

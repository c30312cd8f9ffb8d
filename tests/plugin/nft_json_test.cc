// nft -j list ruleset -> NatRules, on nft 1.0.6's recorded output
// (tests/data/nft/ruleset-nat.json; ruleset-nat.txt is `nft -a list ruleset`
// of the same ruleset, for reading along).
#include "plugin/nft_json.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace edgediag::plugin {
namespace {

std::string Fixture(const std::string& name) {
  std::ifstream in(std::string(EDGEDIAG_TESTDATA) + "/nft/" + name);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<NatRule> Recorded() {
  auto rules = ParseNftRuleset(Fixture("ruleset-nat.json"));
  if (!rules) ADD_FAILURE() << rules.error().what;
  return rules ? *rules : std::vector<NatRule>{};
}

const NatRule* ByHandle(const std::vector<NatRule>& rules, const std::string& table,
                        std::uint64_t handle) {
  for (const NatRule& r : rules) {
    if (r.table == table && r.handle == handle) return &r;
  }
  return nullptr;
}

TEST(NftJsonTest, KeepsOnlyPostroutingNatChainsInPriorityOrder) {
  std::vector<std::string> order;
  for (const NatRule& r : Recorded()) {
    order.push_back(
        fmt::format("{}/{}/{}#{}@{}", r.family, r.table, r.chain, r.handle, r.priority));
  }
  EXPECT_EQ(order, (std::vector<std::string>{
                       "ip/vyos_nat/POSTROUTING#4@100", "ip/vyos_nat/VYOS_PRE_SNAT_HOOK#11@100",
                       "ip/vyos_nat/POSTROUTING#5@100", "ip/vyos_nat/POSTROUTING#6@100",
                       "ip/vyos_nat/POSTROUTING#8@100", "ip/vyos_nat/POSTROUTING#9@100",
                       "ip/vyos_nat/POSTROUTING#10@100", "inet/fw4/srcnat#3@105",
                       "inet/fw4/srcnat#4@105", "inet/fw4/srcnat#5@105", "inet/fw4/srcnat#7@105",
                       "inet/fw4/srcnat#8@105", "inet/fw4/tail#9@105", "ip6/nat6/post#2@110"}));
}

TEST(NftJsonTest, VyosExemptionAndMasquerade) {
  const auto rules = Recorded();
  const NatRule* exempt = ByHandle(rules, "vyos_nat", 5);
  ASSERT_NE(exempt, nullptr);
  EXPECT_EQ(exempt->hook, "postrouting");
  EXPECT_EQ(exempt->verdict, "accept");
  EXPECT_EQ(exempt->oifname, "eth0");
  EXPECT_EQ(exempt->saddr, std::vector<std::string>{"10.1.0.0/16"});
  EXPECT_EQ(exempt->daddr, std::vector<std::string>{"10.2.0.0/16"});
  EXPECT_EQ(exempt->ipsec, "");
  EXPECT_EQ(exempt->text,
            "oifname \"eth0\" ip saddr 10.1.0.0/16 ip daddr 10.2.0.0/16 counter accept "
            "comment \"SRC-NAT-10\"");
  const NatRule* masq = ByHandle(rules, "vyos_nat", 6);
  ASSERT_NE(masq, nullptr);
  EXPECT_EQ(masq->verdict, "masquerade");
  EXPECT_TRUE(masq->daddr.empty());
  EXPECT_EQ(masq->text,
            "oifname \"eth0\" ip saddr 10.1.0.0/16 counter masquerade comment \"SRC-NAT-100\"");
}

TEST(NftJsonTest, NegatedSetsRangesAndSnat) {
  const auto rules = Recorded();
  const NatRule* snat = ByHandle(rules, "vyos_nat", 8);
  ASSERT_NE(snat, nullptr);
  EXPECT_EQ(snat->verdict, "snat");
  EXPECT_TRUE(snat->saddr_negated);
  EXPECT_EQ(snat->saddr, (std::vector<std::string>{"172.16.0.0/12", "192.168.0.0/16"}));
  EXPECT_EQ(snat->text,
            "oifname \"eth1\" ip saddr != { 172.16.0.0/12, 192.168.0.0/16 } snat to 203.0.113.5");
  const NatRule* range = ByHandle(rules, "vyos_nat", 9);
  ASSERT_NE(range, nullptr);
  EXPECT_EQ(range->daddr, std::vector<std::string>{"10.0.0.1-10.0.0.9"});
  const NatRule* ret = ByHandle(rules, "vyos_nat", 10);
  ASSERT_NE(ret, nullptr);
  EXPECT_EQ(ret->oifname, "!= lo");
  EXPECT_TRUE(ret->daddr_negated);
  EXPECT_EQ(ret->verdict, "return");
  EXPECT_EQ(ret->text, "oifname != \"lo\" ip daddr != 10.7.0.0/24 return");
}

TEST(NftJsonTest, JumpsAreFollowedInPlace) {
  const auto rules = Recorded();
  const NatRule* jump = ByHandle(rules, "vyos_nat", 4);
  ASSERT_NE(jump, nullptr);
  EXPECT_EQ(jump->verdict, "jump");
  EXPECT_EQ(jump->text, "counter jump VYOS_PRE_SNAT_HOOK");
  const NatRule* hook = ByHandle(rules, "vyos_nat", 11);
  ASSERT_NE(hook, nullptr);
  EXPECT_EQ(hook->chain, "VYOS_PRE_SNAT_HOOK");
  EXPECT_EQ(hook->hook, "postrouting");
  EXPECT_EQ(hook->verdict, "return");
  const NatRule* tail = ByHandle(rules, "fw4", 9);
  ASSERT_NE(tail, nullptr);
  EXPECT_EQ(tail->chain, "tail");
  EXPECT_EQ(tail->priority, 105);
}

TEST(NftJsonTest, IpsecMatches) {
  const auto rules = Recorded();
  EXPECT_EQ(ByHandle(rules, "fw4", 3)->ipsec, "exists");
  EXPECT_EQ(ByHandle(rules, "fw4", 3)->text, "rt ipsec exists accept");
  const NatRule* missing = ByHandle(rules, "fw4", 4);
  EXPECT_EQ(missing->ipsec, "missing");
  EXPECT_EQ(missing->daddr, std::vector<std::string>{"10.9.0.0/24"});
  EXPECT_EQ(missing->text, "rt ipsec missing ip daddr 10.9.0.0/24 masquerade");
  EXPECT_EQ(ByHandle(rules, "fw4", 5)->ipsec, "exists");
  EXPECT_EQ(ByHandle(rules, "fw4", 5)->text, "ipsec out reqid 1 return");
}

TEST(NftJsonTest, Ip6AndInterfaceSets) {
  const auto rules = Recorded();
  const NatRule* r = ByHandle(rules, "fw4", 7);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->family, "inet");
  EXPECT_EQ(r->saddr, std::vector<std::string>{"fd00::/8"});
  EXPECT_EQ(r->oifname, "{ wan, wan2 }");
  EXPECT_EQ(r->text, "ip6 saddr fd00::/8 oifname { \"wan\", \"wan2\" } masquerade");
  EXPECT_EQ(ByHandle(rules, "nat6", 2)->saddr, std::vector<std::string>{"fd00:1::/64"});
}

TEST(NftJsonTest, MetaIpsecAndNamedPriorities) {
  // `meta ipsec` is refused in postrouting by current kernels (the host's
  // 6.x says "Operation not supported"), but older rulesets carry it; and
  // some nft versions print priorities by name.
  const char* json = R"({"nftables": [
    {"chain": {"family": "ip", "table": "t", "name": "late", "handle": 1, "type": "nat",
               "hook": "postrouting", "prio": "srcnat + 10"}},
    {"chain": {"family": "ip", "table": "t", "name": "early", "handle": 2, "type": "nat",
               "hook": "postrouting", "prio": "srcnat - 10"}},
    {"rule": {"family": "ip", "table": "t", "chain": "late", "handle": 3,
              "expr": [{"match": {"op": "==", "left": {"meta": {"key": "ipsec"}}, "right": true}},
                       {"accept": null}]}},
    {"rule": {"family": "ip", "table": "t", "chain": "early", "handle": 4,
              "expr": [{"match": {"op": "!=", "left": {"meta": {"key": "secpath"}}, "right": true}},
                       {"masquerade": {"port": 1024}}]}}]})";
  auto rules = ParseNftRuleset(json);
  ASSERT_TRUE(rules) << rules.error().what;
  ASSERT_EQ(rules->size(), 2u);
  EXPECT_EQ((*rules)[0].chain, "early");
  EXPECT_EQ((*rules)[0].priority, 90);
  EXPECT_EQ((*rules)[0].ipsec, "missing");
  EXPECT_EQ((*rules)[0].text, "meta secpath missing masquerade to :1024");
  EXPECT_EQ((*rules)[1].priority, 110);
  EXPECT_EQ((*rules)[1].ipsec, "exists");
}

TEST(NftJsonTest, JumpLoopsTerminate) {
  const char* json = R"({"nftables": [
    {"chain": {"family": "ip", "table": "t", "name": "post", "type": "nat", "hook": "postrouting", "prio": 100}},
    {"rule": {"family": "ip", "table": "t", "chain": "post", "handle": 1, "expr": [{"jump": {"target": "a"}}]}},
    {"rule": {"family": "ip", "table": "t", "chain": "a", "handle": 2, "expr": [{"jump": {"target": "b"}}]}},
    {"rule": {"family": "ip", "table": "t", "chain": "b", "handle": 3, "expr": [{"jump": {"target": "a"}}]}}]})";
  auto rules = ParseNftRuleset(json);
  ASSERT_TRUE(rules);
  EXPECT_EQ(rules->size(), 3u);
}

// 16 chains, each rule of one jumping to the next: expanded at every jump,
// that is 30^16 rules. Each chain is expanded once.
TEST(NftJsonTest, ChainJumpedToFromManyRulesIsExpandedOnce) {
  std::string json = R"({"nftables": [
    {"chain": {"family": "ip", "table": "t", "name": "c0", "type": "nat", "hook": "postrouting", "prio": 100}})";
  for (int c = 0; c < 16; ++c)
    for (int r = 0; r < 30; ++r)
      json += fmt::format(R"(, {{"rule": {{"family": "ip", "table": "t", "chain": "c{}", "handle": {},
                              "expr": [{{"jump": {{"target": "c{}"}}}}]}}}})",
                          c, c * 100 + r, c + 1);
  json += "]}";
  auto rules = ParseNftRuleset(json);
  ASSERT_TRUE(rules) << rules.error().what;
  EXPECT_EQ(rules->size(), 16u * 30u);
}

// Expressions nested past anything nft prints are cut, not followed down
// the stack.
TEST(NftJsonTest, DeeplyNestedExpressionsAreBounded) {
  std::string right;
  for (int i = 0; i < 200000; ++i) right += R"({"set": [)";
  right += "1";
  for (int i = 0; i < 200000; ++i) right += "]}";
  std::string json = R"({"nftables": [
    {"chain": {"family": "ip", "table": "t", "name": "post", "type": "nat", "hook": "postrouting", "prio": 100}},
    {"rule": {"family": "ip", "table": "t", "chain": "post", "handle": 1, "expr": [
      {"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "daddr"}}, "right": )" +
                     right + R"(}}, {"masquerade": null}]}}]})";
  auto rules = ParseNftRuleset(json);
  ASSERT_TRUE(rules) << rules.error().what;
  ASSERT_EQ(rules->size(), 1u);
  EXPECT_EQ((*rules)[0].verdict, "masquerade");
  EXPECT_NE((*rules)[0].text.find("..."), std::string::npos);
}

TEST(NftJsonTest, EmptyRulesetHasNoRules) {
  auto rules = ParseNftRuleset(R"({"nftables": [{"metainfo": {"version": "1.0.6"}}]})");
  ASSERT_TRUE(rules);
  EXPECT_TRUE(rules->empty());
}

TEST(NftJsonTest, RejectsWhatIsNotAnNftDocument) {
  EXPECT_EQ(ParseNftRuleset("{").error().what, "nft -j output is not valid JSON");
  EXPECT_EQ(ParseNftRuleset("[]").error().what, "nft -j output has no \"nftables\" array");
  EXPECT_EQ(ParseNftRuleset(R"({"nftables": {}})").error().what,
            "nft -j output has no \"nftables\" array");
}

TEST(NftJsonTest, OddShapesAreSkippedNotThrown) {
  const char* json = R"({"nftables": [1, "x", {"chain": 5}, {"rule": []},
    {"chain": {"family": "ip", "table": "t", "name": "post", "type": "nat", "hook": "postrouting", "prio": [1]}},
    {"rule": {"family": "ip", "table": "t", "chain": "post", "handle": -1,
              "expr": [7, {}, {"match": 3}, {"match": {"op": "==", "left": {"payload": 1}, "right": null}},
                       {"match": {"left": {"payload": {"protocol": "ip", "field": "saddr"}}, "right": {"prefix": 3}}},
                       {"snat": {"addr": {"map": {}}}}]}}]})";
  auto rules = ParseNftRuleset(json);
  ASSERT_TRUE(rules) << rules.error().what;
  ASSERT_EQ(rules->size(), 1u);
  EXPECT_EQ((*rules)[0].verdict, "snat");
}

}  // namespace
}  // namespace edgediag::plugin

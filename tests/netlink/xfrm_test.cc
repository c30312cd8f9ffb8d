#include "netlink/xfrm.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <linux/xfrm.h>
#include <netinet/in.h>

#include "tests/netlink/nl_builder.h"

namespace edgediag::netlink {
namespace {

using testing::Contains;
using testing::NlBuilder;

void Addr4(xfrm_address_t& a, const char* s) { inet_pton(AF_INET, s, &a.a4); }

TEST(XfrmTest, DecodesStateAndNeverItsKeys) {
  xfrm_usersa_info sa{};
  sa.family = AF_INET;
  Addr4(sa.saddr, "192.0.2.1");
  Addr4(sa.id.daddr, "198.51.100.2");
  sa.id.spi = htonl(0xc0ffee01);
  sa.id.proto = IPPROTO_ESP;
  sa.reqid = 7;
  sa.mode = XFRM_MODE_TUNNEL;
  sa.curlft.bytes = 12345;
  sa.curlft.packets = 67;
  xfrm_encap_tmpl encap{};
  encap.encap_type = 2;  // UDP_ENCAP_ESPINUDP
  encap.encap_sport = htons(4500);
  encap.encap_dport = htons(4500);
  // An algorithm attribute: struct xfrm_algo name[64], key_len, key.
  std::vector<std::uint8_t> alg(64 + 4, 0);
  std::string name = "cbc(aes)", key = "XFRM-SECRET-KEY-MATERIAL";
  std::memcpy(alg.data(), name.data(), name.size());
  std::uint32_t bits = static_cast<std::uint32_t>(key.size() * 8);
  std::memcpy(alg.data() + 64, &bits, 4);
  alg.insert(alg.end(), key.begin(), key.end());

  NlBuilder b;
  b.Begin(XFRM_MSG_NEWSA).Header(sa).Bytes(XFRMA_ALG_CRYPT, alg).Bytes(XFRMA_ALG_AEAD, alg);
  b.Attr(XFRMA_ENCAP, &encap, sizeof(encap)).Scalar<std::uint32_t>(XFRMA_IF_ID, 42);
  b.Scalar<std::uint64_t>(200, 1);  // unknown
  auto bytes = b.Done();
  ASSERT_TRUE(Contains(bytes, key));

  auto states = DecodeXfrmStates(bytes);
  ASSERT_TRUE(states.ok());
  ASSERT_EQ(states->items.size(), 1u);
  const XfrmSa& s = states->items[0];
  EXPECT_EQ(s.saddr, "192.0.2.1");
  EXPECT_EQ(s.daddr, "198.51.100.2");
  EXPECT_EQ(s.spi, 0xc0ffee01u);
  EXPECT_EQ(XfrmProtoName(s.proto), "esp");
  EXPECT_EQ(XfrmModeName(s.mode), "tunnel");
  EXPECT_EQ(s.reqid, 7u);
  EXPECT_EQ(s.encap_sport, 4500);
  EXPECT_EQ(s.encap_dport, 4500);
  EXPECT_EQ(s.if_id, 42u);
  EXPECT_EQ(s.curlft_bytes, 12345u);
  EXPECT_EQ(s.curlft_packets, 67u);
  EXPECT_EQ(states->warnings.size(), 0u);
  for (const auto& str : {s.saddr, s.daddr, s.sel.saddr, s.sel.daddr})
    EXPECT_EQ(str.find("SECRET"), std::string::npos);
}

TEST(XfrmTest, DecodesPolicyWithTemplate) {
  xfrm_userpolicy_info p{};
  p.sel.family = AF_INET;
  Addr4(p.sel.saddr, "10.1.0.0");
  p.sel.prefixlen_s = 16;
  Addr4(p.sel.daddr, "10.2.0.0");
  p.sel.prefixlen_d = 24;
  p.dir = XFRM_POLICY_OUT;
  p.action = XFRM_POLICY_ALLOW;
  p.priority = 375423;
  xfrm_user_tmpl t{};
  t.family = AF_INET;
  Addr4(t.saddr, "192.0.2.1");
  Addr4(t.id.daddr, "198.51.100.2");
  t.id.proto = IPPROTO_ESP;
  t.reqid = 7;
  t.mode = XFRM_MODE_TUNNEL;
  NlBuilder b;
  b.Begin(XFRM_MSG_NEWPOLICY).Header(p).Attr(XFRMA_TMPL, &t, sizeof(t));
  b.Scalar<std::uint32_t>(XFRMA_IF_ID, 9);
  auto pols = DecodeXfrmPolicies(b.Done());
  ASSERT_TRUE(pols.ok());
  const XfrmPolicyInfo& x = pols->items.at(0);
  EXPECT_EQ(x.sel.saddr, "10.1.0.0/16");
  EXPECT_EQ(x.sel.daddr, "10.2.0.0/24");
  EXPECT_EQ(XfrmDirName(x.dir), "out");
  EXPECT_EQ(XfrmActionName(x.action), "allow");
  EXPECT_EQ(x.priority, 375423u);
  ASSERT_EQ(x.tmpl.size(), 1u);
  EXPECT_EQ(x.tmpl[0].saddr, "192.0.2.1");
  EXPECT_EQ(x.tmpl[0].daddr, "198.51.100.2");
  EXPECT_EQ(x.tmpl[0].reqid, 7u);
  EXPECT_EQ(x.if_id, 9u);
  EXPECT_EQ(XfrmDirName(XFRM_POLICY_MAX + XFRM_POLICY_IN), "in(socket)");
}

TEST(XfrmTest, ShortHeaderAndPartialTemplate) {
  NlBuilder b;
  b.Begin(XFRM_MSG_NEWSA).Header(std::uint64_t{0});
  xfrm_userpolicy_info p{};
  p.sel.family = AF_INET;
  xfrm_user_tmpl t{};
  b.Begin(XFRM_MSG_NEWPOLICY).Header(p).Attr(XFRMA_TMPL, &t, sizeof(t) - 4);
  auto bytes = b.Done();
  auto states = DecodeXfrmStates(bytes);
  ASSERT_TRUE(states.ok());
  EXPECT_TRUE(states->items.empty());
  EXPECT_EQ(states->warnings.size(), 1u);
  auto pols = DecodeXfrmPolicies(bytes);
  ASSERT_TRUE(pols.ok());
  EXPECT_TRUE(pols->items.at(0).tmpl.empty());
  EXPECT_EQ(pols->warnings.size(), 1u);
}

}  // namespace
}  // namespace edgediag::netlink

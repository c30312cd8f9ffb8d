// Table-driven tests of the MD5, ASN, MTU and BGP rules.
#include <gtest/gtest.h>

#include <functional>

#include "plugin/dx_rules.h"
#include "plugin/report.h"
#include "tests/support/dx_fixture.h"
#include "tests/support/golden.h"
#include "tests/support/run_rule.h"

namespace edgediag::plugin {
namespace {

using testing::RunRule;

using testing::HealthyDx;
using testing::Iface;
using testing::kTestSalt;

struct Case {
  const char* name;
  std::function<void(Snapshot&)> fault;
  const char* first_id;
  Severity severity;
  const char* message;
};

void RouterKey(Snapshot& s, std::string_view key) {
  s.tcp_sockets[0].md5_keys[0].key = DescribeKey(key, kTestSalt);
}

void Down(Snapshot& s, const char* state = "Connect") {
  s.bgp_neighbors[0].bgpState = state;
  s.tcp_sockets[0].state = "SYN-SENT";
}

class DxBgpRules : public ::testing::TestWithParam<Case> {};

TEST_P(DxBgpRules, FirstFindingNamesTheInjectedCause) {
  Snapshot s = HealthyDx();
  GetParam().fault(s);
  testing::RecordGoldenInput(std::string("dx-bgp-") + GetParam().name, s, nullptr);
  Family dx[] = {Family::kDx};
  Report r = BuildReport("dx", dx, s, nullptr);
  ASSERT_EQ(r.subjects.size(), 1u);
  const Finding& f = r.subjects[0].findings.at(0);
  EXPECT_EQ(f.id, GetParam().first_id);
  EXPECT_EQ(f.severity, GetParam().severity);
  EXPECT_EQ(f.message, GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, DxBgpRules,
    ::testing::Values(
        Case{"Md5Different",
             [](Snapshot& s) {
               RouterKey(s, "Ex4mpleDXkez");
               Down(s);
             },
             "dx.md5.mismatch", Severity::kCritical,
             "the router's MD5 key differs from the VIF's authKey (same length, 12 bytes)"},
        Case{"Md5DifferentLength",
             [](Snapshot& s) {
               RouterKey(s, "Ex4mpleDXke");
               Down(s);
             },
             "dx.md5.mismatch", Severity::kCritical,
             "the router's MD5 key differs from the VIF's authKey (11 bytes on the router, 12 in "
             "the VIF)"},
        Case{"Md5TrailingSpace",
             [](Snapshot& s) {
               RouterKey(s, "Ex4mpleDXkey ");
               Down(s);
             },
             "dx.md5.whitespace", Severity::kCritical,
             "the MD5 keys are equal but for surrounding white space: the VIF's authKey has no "
             "surrounding white space, the router's key ends with white space"},
        Case{"Md5NoBreakSpace",
             [](Snapshot& s) {
               s.vifs[0].authKey = DescribeKey(std::string_view("Ex4mple DXkey"), kTestSalt);
               RouterKey(s, "Ex4mple\xc2\xa0" "DXkey");
               Down(s);
             },
             "dx.md5.non-ascii", Severity::kCritical,
             "the MD5 keys are equal but for invisible characters: the router's key holds U+00A0 "
             "NO-BREAK SPACE at position 8"},
        Case{"Md5LookAlike",
             [](Snapshot& s) {
               RouterKey(s, "Ex4mpl\xd0\xb5" "DXkey");  // Cyrillic e
               Down(s);
             },
             "dx.md5.non-ascii", Severity::kCritical,
             "the MD5 keys differ, and one holds non-ASCII characters: the router's key holds a "
             "non-ASCII character (may look like an ASCII letter) at position 7"},
        Case{"Md5Missing",
             [](Snapshot& s) {
               s.tcp_sockets[0].md5_keys.clear();
               s.bgp_neighbors[0].passwordConfigured = false;
               Down(s);
             },
             "dx.md5.missing", Severity::kCritical,
             "the VIF has an MD5 authKey but the router has no key for the Amazon peer"},
        Case{"Md5Unexpected",
             [](Snapshot& s) {
               s.vifs[0].authKey.reset();
               Down(s);
             },
             "dx.md5.unexpected", Severity::kCritical,
             "the router signs the session with an MD5 key, but the VIF description has no "
             "authKey"},
        Case{"Md5TooLong",
             [](Snapshot& s) {
               s.vifs[0].authKey = DescribeKey(std::string(81, 'k'), kTestSalt);
               s.tcp_sockets[0].md5_keys.clear();
               Down(s);
             },
             "dx.md5.too-long", Severity::kCritical,
             "the VIF's authKey is 81 bytes; Linux accepts at most 80 (TCP_MD5SIG_MAXKEYLEN), so "
             "the router cannot hold it"},
        Case{"LocalAs",
             [](Snapshot& s) {
               s.bgp_neighbors[0].localAs = 65099;
               s.bgp_neighbors[0].lastErrorCodeSubcode = "0202";
               Down(s, "Idle");
             },
             "dx.asn.local-mismatch", Severity::kCritical,
             "the router speaks BGP as AS 65099, but the VIF was created for AS 65010"},
        Case{"RemoteAs",
             [](Snapshot& s) {
               s.bgp_neighbors[0].remoteAs = 64999;
               s.bgp_neighbors[0].lastErrorCodeSubcode = "0202";
               Down(s, "Idle");
             },
             "dx.asn.remote-mismatch", Severity::kCritical,
             "the neighbor is configured with remote-as 64999, but Amazon's side is AS 64512"},
        Case{"JumboOnA1500Vif",
             [](Snapshot& s) {
               Iface(s, "eth1").mtu = 9001;
               Iface(s, "eth1.101").mtu = 9001;
             },
             "dx.mtu.mismatch", Severity::kCritical,
             "eth1.101 has MTU 9001, larger than the VIF's 1500: full-size packets and large BGP "
             "UPDATEs are dropped on the way"},
        Case{"PrefixLimit",
             [](Snapshot& s) {
               s.bgp_neighbors[0].prefixesSent = 101;
               s.bgp_neighbors[0].lastErrorCodeSubcode = "0601";
               s.bgp_neighbors[0].lastResetDueTo = "BGP Notification received";
               Down(s, "Idle");
             },
             "dx.bgp.prefix-limit", Severity::kCritical,
             "the router advertises 101 prefixes; AWS takes the session down above 100 per "
             "address family on this private VIF"},
        Case{"NoNeighbor", [](Snapshot& s) { s.bgp_neighbors.clear(); }, "dx.bgp.state",
             Severity::kCritical, "FRR has no BGP neighbor 169.254.10.1"},
        Case{"UnexplainedDown", [](Snapshot& s) { Down(s, "Active"); }, "dx.bgp.state",
             Severity::kCritical,
             "BGP is Active: no TCP session: layer 2/3 reachability, or an MD5 key mismatch "
             "(segments dropped silently)"},
        Case{"UpdateSourceLoopback",
             [](Snapshot& s) {
               s.bgp_neighbors[0].updateSource = "lo";
               Down(s, "Active");
             },
             "dx.bgp.multihop", Severity::kCritical,
             "the session is sourced from lo, not the peering address: AWS peers only with the "
             "directly connected address"},
        Case{"HoldTimerFlaps",
             [](Snapshot& s) {
               s.bgp_neighbors[0].connectionsEstablished = 7;
               s.bgp_neighbors[0].connectionsDropped = 6;
               s.bgp_neighbors[0].lastErrorCodeSubcode = "0400";
               Down(s, "Active");
             },
             "dx.bgp.flapping", Severity::kCritical,
             "the session came up and dropped 6 time(s); hold-timer expiry points at MTU: large "
             "UPDATEs are lost"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(DxBgpRules, HealthyWithOneConnectionSaysSoAsInfoOnly) {
  Snapshot s = HealthyDx();
  Family dx[] = {Family::kDx};
  Report r = BuildReport("dx", dx, s, nullptr);
  EXPECT_EQ(r.subjects[0].verdict, Severity::kOk);
  ASSERT_EQ(r.subjects[0].findings.size(), 2u);
  EXPECT_EQ(r.subjects[0].findings[0].id, "dx.ok");
  EXPECT_EQ(r.subjects[0].findings[1].id, "dx.resilience.single-vif");
}

TEST(DxBgpRules, Md5CountersDeltaCorroborates) {
  Snapshot prev = HealthyDx();
  prev.counters.tcp_ext["TCPMD5Failure"] = 10;
  Snapshot s = HealthyDx();
  s.counters.tcp_ext["TCPMD5Failure"] = 25;
  RouterKey(s, "Ex4mpleDXkez");
  auto f = RunRule(CheckMd5, s, &prev);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].evidence.back().observed, "TCPMD5Failure +15");
}

TEST(DxBgpRules, KeysAreDescribedNeverShown) {
  Snapshot s = HealthyDx();
  RouterKey(s, "Ex4mpleDXkey ");
  auto f = RunRule(CheckMd5, s, nullptr);
  ASSERT_EQ(f.size(), 1u);
  for (const auto& e : f[0].evidence) {
    EXPECT_EQ(e.observed.find("Ex4mple"), std::string::npos);
    EXPECT_EQ(e.expected.find("Ex4mple"), std::string::npos);
  }
  EXPECT_EQ(f[0].evidence[0].observed,
            "13 bytes, 13 characters, ends with white space, plain ASCII");
}

TEST(DxBgpRules, WithoutCapNetAdminFrrPasswordFlagDecides) {
  Snapshot s = HealthyDx();
  s.sources[kSourceMd5] = {SourceState::kPermissionDenied, "need CAP_NET_ADMIN"};
  s.bgp_neighbors[0].passwordConfigured = false;
  auto f = RunRule(CheckMd5, s, nullptr);
  ASSERT_EQ(f.size(), 1u);
}

TEST(DxBgpRules, MtuInvalidForTypeOnPublicVif) {
  Snapshot s = HealthyDx();
  s.vifs[0].virtualInterfaceType = "public";
  s.vifs[0].mtu = 9001;
  auto f = RunRule(CheckMtuInvalidForType, s, nullptr);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].message, "MTU 9001 is not one AWS offers on a public VIF");
}

TEST(DxBgpRules, ProbeFailingAtJumboSizeIsAPathProblem) {
  Snapshot s = HealthyDx();
  s.vifs[0].mtu = 9001;
  Iface(s, "eth1.101").mtu = 9001;
  s.probes = {{"169.254.10.1", "eth1.101", 1500, true, ""}, {"169.254.10.1", "eth1.101", 9001, false, ""}};
  auto f = RunRule(CheckMtuPath, s, nullptr);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].id, "dx.mtu.path");
}

}  // namespace
}  // namespace edgediag::plugin

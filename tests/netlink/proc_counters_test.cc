#include "netlink/proc_counters.h"

#include <gtest/gtest.h>

namespace edgediag::netlink {
namespace {

// Shape of Linux 6.x /proc/net/netstat, shortened.
constexpr char kNetstat[] =
    "TcpExt: SyncookiesSent TCPMD5NotFound TCPMD5Unexpected TCPMD5Failure IPReversePathFilter\n"
    "TcpExt: 0 3 4 5 17\n"
    "IpExt: InNoRoutes InOctets\n"
    "IpExt: 2 18446744073709551615\n"
    "MPTcpExt: MPCapableSYNRX\n"
    "MPTcpExt: 0\n";

TEST(ProcCountersTest, ParsesNetstatSections) {
  auto n = ParseNetstat(kNetstat);
  ASSERT_TRUE(n.ok()) << n.error().what;
  EXPECT_EQ(n->at("TcpExt").at("TCPMD5NotFound"), 3u);
  EXPECT_EQ(n->at("TcpExt").at("TCPMD5Unexpected"), 4u);
  EXPECT_EQ(n->at("TcpExt").at("TCPMD5Failure"), 5u);
  EXPECT_EQ(n->at("TcpExt").at("IPReversePathFilter"), 17u);
  EXPECT_EQ(n->at("IpExt").at("InOctets"), 18446744073709551615u);
  EXPECT_EQ(n->at("MPTcpExt").size(), 1u);
}

TEST(ProcCountersTest, NetstatErrorsNameTheProblem) {
  EXPECT_EQ(ParseNetstat("TcpExt: A B\nTcpExt: 1\n").error().what,
            "netstat: section TcpExt: has 2 names but 1 values");
  EXPECT_EQ(ParseNetstat("TcpExt: A\n").error().what, "netstat: section TcpExt: has no value line");
  EXPECT_EQ(ParseNetstat("TcpExt: A\nIpExt: 1\n").error().what,
            "netstat: line 2 does not continue section TcpExt:");
  EXPECT_EQ(ParseNetstat("TcpExt: A\nTcpExt: x\n").error().what, "netstat: TcpExt:A is not a number");
  EXPECT_EQ(ParseNetstat("garbage\n1\n").error().what, "netstat: line 1 has no section name");
  EXPECT_TRUE(ParseNetstat("").ok());
}

TEST(ProcCountersTest, ParsesXfrmStat) {
  auto x = ParseXfrmStat("XfrmInError             \t0\nXfrmInTmplMismatch      \t12\n");
  ASSERT_TRUE(x.ok());
  EXPECT_EQ(x->at("XfrmInTmplMismatch"), 12u);
  EXPECT_EQ(ParseXfrmStat("XfrmInError\n").error().what, "xfrm_stat: line 1 is not \"Name value\"");
}

TEST(ProcCountersTest, SysctlAndEffectiveRpFilter) {
  EXPECT_EQ(*ParseSysctlInt("2\n"), 2);
  EXPECT_FALSE(ParseSysctlInt("").ok());
  EXPECT_FALSE(ParseSysctlInt("1 2\n").ok());
  EXPECT_EQ(EffectiveRpFilter(0, 1), 1);
  EXPECT_EQ(EffectiveRpFilter(2, 1), 2);
}

TEST(ProcCountersTest, MissingXfrmStatIsNotAnError) {
  auto x = ReadXfrmStat("/nonexistent/xfrm_stat");
  ASSERT_TRUE(x.ok());
  EXPECT_FALSE(x->has_value());
}

TEST(ProcCountersTest, RpFilterRejectsPathTricks) {
  EXPECT_EQ(ReadRpFilter("../all").error().what, "bad interface name for rp_filter");
}

}  // namespace
}  // namespace edgediag::netlink

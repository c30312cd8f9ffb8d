// ipsec.ike.flapping, ipsec.ts.narrowed, traps and shunts, the kernel's
// xfrm_stat errors as evidence, and rekey safety: each on the healthy
// site-to-site fixture changed in one way; charon's events are parsed
// from VICI frames built the way charon 5.9 sends them.
#include <gtest/gtest.h>

#include <optional>

#include "plugin/ipsec_rules.h"
#include "plugin/ipsec_vici.h"
#include "plugin/report.h"
#include "tests/support/vpn_fixture.h"
#include "vici/builder.h"
#include "vici/parser.h"

namespace edgediag::plugin {
namespace {

using testing::HealthyIpsec;

// A copy: the report is often a temporary.
std::optional<Finding> First(const Report& r, const std::string& subject) {
  for (const auto& s : r.subjects)
    if (s.subject.id == subject && !s.findings.empty()) return s.findings.front();
  return std::nullopt;
}

Report Diagnose(const Snapshot& s, const Snapshot* prev) {
  Family vpn[] = {Family::kIpsec, Family::kNet};
  return BuildReport("vpn", vpn, s, prev);
}

int WarningsOrWorse(const Report& r) {
  int n = 0;
  for (const auto& s : r.subjects)
    for (const auto& f : s.findings)
      if (f.severity == Severity::kWarning || f.severity == Severity::kCritical) ++n;
  return n;
}

// An ike-updown event as charon 5.9 sends it: {up = yes, NAME = {uniqueid, ...}}.
vici::Message UpDown(bool up, const std::string& name, int uniqueid) {
  vici::Builder b;
  if (up) b.Add("up", "yes");
  b.BeginSection(name)
      .Add("uniqueid", std::to_string(uniqueid))
      .Add("version", "2")
      .Add("state", up ? "ESTABLISHED" : "DELETING")
      .Add("remote-host", "198.51.100.2")
      .BeginSection("child-sas")
      .EndSection()
      .EndSection();
  auto bytes = b.Finish();
  EXPECT_TRUE(static_cast<bool>(bytes));
  auto m = vici::ParseMessage(*bytes);
  EXPECT_TRUE(static_cast<bool>(m));
  return *m;
}

TEST(IpsecEventsTest, IkeUpdownFromBuiltFrame) {
  ViciWarnings w;
  auto ev = EventsFromMessage("ike-updown", UpDown(true, "site-b", 7), w);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].event, "ike-updown");
  EXPECT_EQ(ev[0].ike, "site-b");
  EXPECT_TRUE(ev[0].up);
  EXPECT_EQ(ev[0].ike_uniqueid, 7u);
  EXPECT_EQ(ev[0].remote_host, "198.51.100.2");
  EXPECT_EQ(w.count, 0);
  auto down = EventsFromMessage("ike-updown", UpDown(false, "site-b", 7), w);
  ASSERT_EQ(down.size(), 1u);
  EXPECT_FALSE(down[0].up);
}

TEST(IpsecEventsTest, ChildRekeyNamesTheNewSa) {
  vici::Builder b;
  b.BeginSection("site-b")
      .Add("uniqueid", "3")
      .BeginSection("child-sas")
      .BeginSection("site-b-tunnel-0-9")
      .BeginSection("old")
      .Add("name", "site-b-tunnel-0")
      .Add("reqid", "1")
      .EndSection()
      .BeginSection("new")
      .Add("name", "site-b-tunnel-0")
      .Add("reqid", "1")
      .Add("uniqueid", "10")
      .EndSection()
      .EndSection()
      .EndSection()
      .EndSection();
  auto bytes = b.Finish();
  ASSERT_TRUE(static_cast<bool>(bytes));
  auto m = vici::ParseMessage(*bytes);
  ASSERT_TRUE(static_cast<bool>(m));
  ViciWarnings w;
  auto ev = EventsFromMessage("child-rekey", *m, w);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].child, "site-b-tunnel-0");
  EXPECT_EQ(ev[0].reqid, 1u);
  EXPECT_EQ(ev[0].ike_uniqueid, 3u);
  EXPECT_TRUE(EventsFromMessage("list-sa", *m, w).empty());
}

TEST(IpsecEventsTest, ListPolicyTrapAndShunts) {
  vici::Builder b;
  b.BeginSection("aws/lan")
      .Add("child", "lan")
      .Add("mode", "TUNNEL")
      .BeginList("local-ts")
      .AddItem("10.1.0.0/24")
      .EndList()
      .BeginList("remote-ts")
      .AddItem("10.2.0.0/24")
      .EndList()
      .EndSection()
      .BeginSection("bypass/lan-local")
      .Add("child", "lan-local")
      .Add("mode", "PASS")
      .EndSection();
  auto bytes = b.Finish();
  ASSERT_TRUE(static_cast<bool>(bytes));
  auto m = vici::ParseMessage(*bytes);
  ASSERT_TRUE(static_cast<bool>(m));
  ViciWarnings w;
  auto p = PoliciesFromListPolicy(*m, w);
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(p[0].ike, "aws");
  EXPECT_EQ(p[0].child, "lan");
  EXPECT_EQ(p[0].local_ts, std::vector<std::string>{"10.1.0.0/24"});
  EXPECT_EQ(p[1].mode, "PASS");
  EXPECT_TRUE(IsShuntPolicy(p[1]));
  EXPECT_FALSE(IsShuntPolicy(p[0]));
}

IpsecEvent Up(std::int64_t at, std::uint32_t id) {
  return {.at_ms = at, .event = "ike-updown", .ike = "site-b", .ike_uniqueid = id, .up = true,
          .remote_host = "198.51.100.2"};
}

TEST(IpsecFlappingTest, ThreeUpsInTenSecondsIsFlapping) {
  Snapshot s = HealthyIpsec();
  std::int64_t t = s.taken_at_ms - 9000;
  s.ipsec_events = {Up(t, 2), Up(t + 3000, 3), Up(t + 6500, 4)};
  Report r = Diagnose(s, nullptr);
  auto f = First(r, "site-b");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->id, "ipsec.ike.flapping");
  EXPECT_EQ(f->severity, Severity::kWarning);
  EXPECT_EQ(f->message,
            "the IKE SA with 198.51.100.2 was established 3 times in 6.5 s and torn down 0 times "
            "during the sample: it does not stay up (DPD failing, or the peer deleting it)");
}

TEST(IpsecFlappingTest, ReauthenticationsAndRekeysAreNot) {
  Snapshot s = HealthyIpsec();
  std::int64_t t = s.taken_at_ms - 30000;
  // Three reauthentications 12 s apart, and rekeys in between: normal.
  s.ipsec_events = {Up(t, 2), Up(t + 12000, 3), Up(t + 24000, 4)};
  s.ipsec_events.push_back({.at_ms = t + 5000, .event = "ike-rekey", .ike = "site-b"});
  s.ipsec_events.push_back({.at_ms = t + 6000, .event = "ike-rekey", .ike = "site-b"});
  EXPECT_EQ(WarningsOrWorse(Diagnose(s, nullptr)), 0);
}

TEST(IpsecFlappingTest, DownNowIsCritical) {
  Snapshot s = HealthyIpsec();
  s.ike_sas[0].state = "CONNECTING";
  std::int64_t t = s.taken_at_ms - 9000;
  s.ipsec_events = {Up(t, 2), Up(t + 2000, 3), Up(t + 4000, 4)};
  auto f = First(Diagnose(s, nullptr), "site-b");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->id, "ipsec.ike.flapping");
  EXPECT_EQ(f->severity, Severity::kCritical);
}

TEST(IpsecNarrowedTest, NamesTheSubnetsLeftOut) {
  Snapshot s = HealthyIpsec();
  s.ipsec_connections[0].children[0].remote_ts = {"10.2.0.0/16", "10.9.0.0/24"};
  s.ike_sas[0].child_sas[0].remote_ts = {"10.2.0.0/17"};
  auto f = First(Diagnose(s, nullptr), "site-b");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->id, "ipsec.ts.narrowed");
  EXPECT_EQ(f->severity, Severity::kWarning);
  EXPECT_EQ(f->message,
            "CHILD SA site-b-tunnel-0 was narrowed in negotiation: remote 10.2.128.0/17, "
            "10.9.0.0/24 is configured but not in the installed selectors, so that traffic has "
            "no tunnel");
}

TEST(IpsecNarrowedTest, SplitAcrossSelectorsIsCovered) {
  Snapshot s = HealthyIpsec();
  s.ike_sas[0].child_sas[0].remote_ts = {"10.2.0.0/17", "10.2.128.0/17"};
  s.ipsec_connections[0].children[0].local_ts = {"dynamic"};
  EXPECT_EQ(First(Diagnose(s, nullptr), "site-b")->id, "ipsec.ok");
}

TEST(IpsecTrapShuntTest, TrapWithoutSaIsNormalAndShuntIsNoTunnel) {
  Snapshot s = HealthyIpsec();
  s.ike_sas.clear();
  s.ipsec_connections[0].children[0].start_action = "";  // 5.9 does not say
  s.ipsec_policies.push_back({.name = "site-b/site-b-tunnel-0", .ike = "site-b",
                              .child = "site-b-tunnel-0", .mode = "TUNNEL",
                              .local_ts = {"10.1.1.0/24"}, .remote_ts = {"10.2.0.0/16"}});
  IpsecConnection bypass{.name = "bypass"};
  bypass.children.push_back({.name = "lan-local", .mode = "PASS", .local_ts = {"10.1.1.0/24"},
                             .remote_ts = {"10.1.1.0/24"}});
  s.ipsec_connections.push_back(bypass);
  s.ipsec_policies.push_back({.name = "bypass/lan-local", .ike = "bypass", .child = "lan-local",
                              .mode = "PASS"});
  Report r = Diagnose(s, nullptr);
  EXPECT_EQ(WarningsOrWorse(r), 0);
  auto shunt = First(r, "bypass");
  ASSERT_TRUE(shunt);
  EXPECT_EQ(shunt->id, "ipsec.ok");
  EXPECT_EQ(shunt->message,
            "shunt policies, not tunnels: pass lan-local (10.1.1.0/24 === 10.1.1.0/24); traffic "
            "there bypasses (pass) or is dropped by IPsec by design");
  // The trap: ike.down as info, its child named with its trap policy.
  bool trap_seen = false;
  for (const auto& sr : r.subjects)
    for (const auto& f : sr.findings)
      if (f.id == "ipsec.ike.down") {
        EXPECT_EQ(f.severity, Severity::kInfo);
        for (const auto& e : f.evidence)
          if (e.observed == "no SA; trap policy installed (waits for traffic)") trap_seen = true;
      }
  EXPECT_TRUE(trap_seen);
}

TEST(IpsecXfrmStatTest, ProtoErrorsRankOneWayHigher) {
  Snapshot now = HealthyIpsec();
  Snapshot prev = now;
  prev.taken_at_ms -= 30000;
  ChildSa& pc = prev.ike_sas[0].child_sas[0];
  pc.bytes_out -= 60000, pc.packets_out -= 55;  // in: flat
  prev.counters.xfrm_stat["XfrmInStateProtoError"] = 10;
  now.counters.xfrm_stat["XfrmInStateProtoError"] = 64;
  auto f = First(Diagnose(now, &prev), "site-b");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->id, "ipsec.traffic.one-way");
  EXPECT_EQ(f->weight, 70);
  EXPECT_NE(f->message.find("XfrmInStateProtoError"), std::string::npos) << f->message;
}

TEST(IpsecRekeyTest, CountersFollowedAcrossARekeyByNameAndReqid) {
  Snapshot prev = HealthyIpsec();
  Snapshot now = prev;
  now.taken_at_ms += 10000;
  // Rekeyed in between: the old SA (REKEYED, still counting inbound) and
  // a new INSTALLED one that has sent but not yet received.
  ChildSa& old = now.ike_sas[0].child_sas[0];
  old.state = "REKEYED";
  old.bytes_in += 4200, old.packets_in += 5;
  ChildSa fresh = old;
  fresh.state = "INSTALLED";
  fresh.uniqueid = 2;
  fresh.spi_in = "c0ffee01";
  fresh.spi_out = "c0ffee02";
  fresh.bytes_in = 0, fresh.packets_in = 0;
  fresh.bytes_out = 6000, fresh.packets_out = 6;
  fresh.use_in.reset();
  fresh.install_time = 8;
  now.ike_sas[0].child_sas.push_back(fresh);
  XfrmState in = now.xfrm_states[0], out = now.xfrm_states[1];
  in.spi = 0xc0ffee01, out.spi = 0xc0ffee02;
  now.xfrm_states.push_back(in);
  now.xfrm_states.push_back(out);
  now.ipsec_events.push_back({.at_ms = now.taken_at_ms - 8000, .event = "child-rekey",
                              .ike = "site-b", .child = "site-b-tunnel-0", .reqid = 1});
  // The old SA's inbound and the new one's outbound are one CHILD's traffic.
  EXPECT_EQ(WarningsOrWorse(Diagnose(now, &prev)), 0);
  // Seconds after the rekey even one sample does not call it one-way.
  now.ike_sas[0].child_sas[1].install_time = 2;
  EXPECT_EQ(WarningsOrWorse(Diagnose(now, nullptr)), 0);
}

TEST(IpsecRekeyTest, BreakBeforeMakeReauthIsNotDown) {
  Snapshot prev = HealthyIpsec();
  Snapshot now = prev;
  now.taken_at_ms += 10000;
  now.ike_sas[0].state = "CONNECTING";
  now.ike_sas[0].uniqueid = 2;
  now.ike_sas[0].child_sas.clear();
  auto f = First(Diagnose(now, &prev), "site-b");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->id, "ipsec.ok");
  EXPECT_EQ(WarningsOrWorse(Diagnose(now, &prev)), 0);
  // Without the earlier point it is a connection not up.
  EXPECT_EQ(First(Diagnose(now, nullptr), "site-b")->id, "ipsec.ike.down");
  // The old SA being deleted (DELETING) while up before: the same.
  now.ike_sas[0].state = "DELETING";
  EXPECT_EQ(WarningsOrWorse(Diagnose(now, &prev)), 0);
  // None at all is a tunnel down, even seconds after it was up.
  now.ike_sas.clear();
  EXPECT_EQ(First(Diagnose(now, &prev), "site-b")->id, "ipsec.ike.down");
}

TEST(IpsecRekeyTest, MakeBeforeBreakOverlapIsNotADuplicate) {
  Snapshot s = HealthyIpsec();
  IkeSa fresh = s.ike_sas[0];
  fresh.uniqueid = 2;
  fresh.established = 3;
  fresh.child_sas[0].spi_in = "c0ffee01";
  fresh.child_sas[0].install_time = 3;
  s.ike_sas.push_back(fresh);
  EXPECT_EQ(WarningsOrWorse(Diagnose(s, nullptr)), 0);
}

}  // namespace
}  // namespace edgediag::plugin

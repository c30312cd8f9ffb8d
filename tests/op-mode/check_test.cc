// `edgediag check`: Nagios codes on hand-built snapshots, state changes to
// syslog (through a fake sink), and the state file (atomic, 0600, 0700 dir).
#include "op-mode/check.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <syslog.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "plugin/snapshot_json.h"
#include "tests/support/dx_fixture.h"

namespace edgediag::opmode {
namespace {

namespace fs = std::filesystem;
using plugin::Severity;
using plugin::Snapshot;
using testing::HealthyDx;
using testing::Iface;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::StartsWith;

// Keeps every line logged, for assertions.
class FakeSyslog : public SyslogSink {
 public:
  void Log(int priority, const std::string& line) override { lines.push_back({priority, line}); }
  std::vector<StateChange> lines;
};

// A fresh directory per test, removed afterwards.
class CheckTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = fs::temp_directory_path() / "edgediag-check-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    options_.state_file = dir_ / "state.json";
  }
  void TearDown() override { fs::remove_all(dir_); }

  int Check(Snapshot s) {
    out_.str("");
    err_.str("");
    return RunCheck(options_, std::move(s), out_, err_, sink_);
  }

  fs::path dir_;
  CheckOptions options_;
  FakeSyslog sink_;
  std::ostringstream out_, err_;
};

Snapshot VlanMismatch() {
  Snapshot s = HealthyDx();
  Iface(s, "eth1.101").vlan_id = 102;
  return s;
}

Snapshot OpticsLow() {
  Snapshot s = HealthyDx();
  Iface(s, "eth1").rx_power_mw = 0.01;
  Iface(s, "eth1").rx_power_low_alarm_mw = 0.05;
  return s;
}

TEST_F(CheckTest, HealthyRouterIsOk) {
  EXPECT_EQ(Check(HealthyDx()), kNagiosOk);
  EXPECT_EQ(out_.str(), "EDGEDIAG OK | critical=0 warning=0 ok=1 unknown=0\n");
  EXPECT_EQ(err_.str(), "");
}

TEST_F(CheckTest, WrongVlanIsCriticalAndNamesTheCause) {
  EXPECT_EQ(Check(VlanMismatch()), kNagiosCritical);
  EXPECT_EQ(out_.str(),
            "EDGEDIAG CRITICAL: dxvif-test1 dx.vlan.mismatch | critical=1 warning=0 ok=0 "
            "unknown=0\n");
}

TEST_F(CheckTest, LowOpticsIsWarning) {
  EXPECT_EQ(Check(OpticsLow()), kNagiosWarning);
  EXPECT_THAT(out_.str(), StartsWith("EDGEDIAG WARNING: dxvif-test1 dx.link.optics-low | "));
}

TEST_F(CheckTest, UnreadableKernelIsUnknown) {
  Snapshot s = HealthyDx();
  s.sources[plugin::kSourceKernel] = {plugin::SourceState::kPermissionDenied, "EPERM"};
  EXPECT_EQ(Check(s), kNagiosUnknown);
  EXPECT_THAT(out_.str(), StartsWith("EDGEDIAG UNKNOWN: dxvif-test1 dx.unchecked | "));
}

// Run without CAP_NET_ADMIN, the WireGuard peers (or the MD5 keys, the
// XFRM states) are unseen: the subjects that were examined may all be fine,
// but the router is not known to be (lab: fault-injection, no-net-admin).
TEST_F(CheckTest, ASourceNotPermittedIsNeverOk) {
  Snapshot s = HealthyDx();
  s.sources[plugin::kSourceWireguard] = {plugin::SourceState::kPermissionDenied,
                                         "reading WireGuard devices needs CAP_NET_ADMIN (run as root)"};
  EXPECT_EQ(Check(s), kNagiosUnknown);
  EXPECT_THAT(out_.str(), StartsWith("EDGEDIAG UNKNOWN: not permitted to read wireguard (reading "
                                     "WireGuard devices needs CAP_NET_ADMIN (run as root)) | "));
  // A fault it did see still outranks it.
  Snapshot v = VlanMismatch();
  v.sources[plugin::kSourceWireguard] = {plugin::SourceState::kPermissionDenied, "EPERM"};
  EXPECT_EQ(Check(v), kNagiosCritical);
}

TEST_F(CheckTest, NothingToExamineIsUnknown) {
  Snapshot s;
  s.sources[plugin::kSourceKernel] = {plugin::SourceState::kUnavailable, "no netlink"};
  EXPECT_EQ(Check(s), kNagiosUnknown);
  EXPECT_EQ(out_.str(),
            "EDGEDIAG UNKNOWN: nothing could be examined (kernel source unavailable) | critical=0 "
            "warning=0 ok=0 unknown=0\n");
}

TEST_F(CheckTest, AnOutputThatCannotBeWrittenMakesOkUnknown) {
  options_.prometheus_file = dir_ / "missing-dir" / "edgediag.prom";
  EXPECT_EQ(Check(HealthyDx()), kNagiosUnknown);
  EXPECT_THAT(out_.str(), StartsWith("EDGEDIAG UNKNOWN: cannot create a temporary file in "));
  EXPECT_THAT(err_.str(), HasSubstr("missing-dir: No such file or directory"));
}

TEST_F(CheckTest, FirstRunLogsOnlyCurrentProblems) {
  Check(VlanMismatch());
  ASSERT_FALSE(sink_.lines.empty());
  EXPECT_EQ(sink_.lines.front(),
            (StateChange{LOG_ERR, "dx-vif dxvif-test1: dx.vlan.mismatch appeared (critical)"}));
  fs::remove(options_.state_file);
  sink_.lines.clear();
  Check(HealthyDx());  // a healthy first run logs nothing
  EXPECT_THAT(sink_.lines, IsEmpty());
}

TEST_F(CheckTest, FaultAppearingAndClearingIsLoggedOnce) {
  Check(HealthyDx());
  Check(HealthyDx());
  EXPECT_THAT(sink_.lines, IsEmpty()) << "no change, no line";

  Check(VlanMismatch());
  ASSERT_GE(sink_.lines.size(), 2u);
  EXPECT_EQ(sink_.lines[0], (StateChange{LOG_ERR, "dx-vif dxvif-test1: ok -> critical"}));
  EXPECT_EQ(sink_.lines[1],
            (StateChange{LOG_ERR, "dx-vif dxvif-test1: dx.vlan.mismatch appeared (critical)"}));

  sink_.lines.clear();
  Check(HealthyDx());
  ASSERT_GE(sink_.lines.size(), 2u);
  EXPECT_EQ(sink_.lines[0], (StateChange{LOG_NOTICE, "dx-vif dxvif-test1: critical -> ok"}));
  EXPECT_THAT(sink_.lines, ::testing::Contains(StateChange{
                               LOG_NOTICE, "dx-vif dxvif-test1: dx.vlan.mismatch cleared (was critical)"}));
}

TEST_F(CheckTest, NoSyslogLineEverHoldsTheKey) {
  Check(HealthyDx());
  Snapshot s = VlanMismatch();
  s.vifs[0].authKey = DescribeKey(std::string_view("other key"), testing::kTestSalt);
  Check(s);
  ASSERT_FALSE(sink_.lines.empty());
  for (const auto& l : sink_.lines) EXPECT_THAT(l.line, ::testing::Not(HasSubstr(testing::kTestKey)));
  std::ifstream in(options_.state_file);
  std::string state((std::istreambuf_iterator<char>(in)), {});
  EXPECT_THAT(state, ::testing::Not(HasSubstr(testing::kTestKey)));
}

TEST_F(CheckTest, StateFileIsPrivateAndItsDirectoryIsCreated) {
  fs::create_directories(dir_ / "var" / "lib");
  options_.state_file = dir_ / "var" / "lib" / "edgediag" / "state.json";
  Check(HealthyDx());
  struct stat st;
  ASSERT_EQ(stat(options_.state_file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  ASSERT_EQ(stat((dir_ / "var" / "lib" / "edgediag").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0700u);
  // Nothing but the state file: no temporary left behind.
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir_ / "var" / "lib" / "edgediag"))
    names.push_back(e.path().filename());
  EXPECT_THAT(names, ElementsAre("state.json"));
}

// Only the package's own state directory is created, never its parents
// nor a directory of another name: a mistyped --state leaves no trail.
TEST_F(CheckTest, StateCreatesNoOtherDirectory) {
  for (auto path : {dir_ / "var" / "lib" / "edgediag" / "state.json", dir_ / "typo" / "state.json"}) {
    options_.state_file = path;
    EXPECT_EQ(Check(HealthyDx()), kNagiosUnknown) << out_.str();
    EXPECT_FALSE(fs::exists(path.parent_path())) << path;
    EXPECT_THAT(err_.str(), HasSubstr("does not exist (only the package's own state directory"));
  }
}

// The snapshot as the state keeps it: the keys' shapes, not their fingerprints.
Snapshot Kept(Snapshot s) {
  plugin::ForgetFingerprints(s);
  return s;
}

TEST_F(CheckTest, StateRoundTripsSnapshotAndFindings) {
  Check(VlanMismatch());
  auto st = LoadCheckState(options_.state_file);
  ASSERT_TRUE(st) << st.error().what;
  EXPECT_EQ(st->snapshot, Kept(VlanMismatch()));
  ASSERT_EQ(st->subjects.size(), 1u);
  EXPECT_EQ(st->subjects[0].kind, "dx-vif");
  EXPECT_EQ(st->subjects[0].id, "dxvif-test1");
  EXPECT_EQ(st->subjects[0].verdict, Severity::kCritical);
  ASSERT_FALSE(st->subjects[0].findings.empty());
  EXPECT_EQ(st->subjects[0].findings[0],
            (std::pair<std::string, Severity>{"dx.vlan.mismatch", Severity::kCritical}));
  auto snap = LoadState(options_.state_file);
  ASSERT_TRUE(snap);
  EXPECT_EQ(*snap, Kept(VlanMismatch()));
}

// Salt and fingerprints together would let a copy of the state file test
// guesses of a weak MD5 key offline: the file holds neither.
TEST_F(CheckTest, StateHoldsNoSaltAndNoKeyFingerprint) {
  Snapshot s = HealthyDx();
  ASSERT_FALSE(s.tcp_sockets.at(0).md5_keys.at(0).key.fp_raw.empty());
  Check(s);
  std::ifstream in(options_.state_file);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_NE(text.find("\"md5_keys\""), std::string::npos);
  EXPECT_EQ(text.find("salt"), std::string::npos);
  for (const auto& fp : {s.tcp_sockets[0].md5_keys[0].key.fp_raw, s.vifs.at(0).authKey->fp_raw,
                         std::string(testing::kTestSalt)})
    EXPECT_EQ(text.find(fp), std::string::npos) << fp;
  auto st = LoadCheckState(options_.state_file);
  ASSERT_TRUE(st);
  EXPECT_TRUE(st->snapshot.tcp_sockets.at(0).md5_keys.at(0).key.fp_raw.empty());
  EXPECT_EQ(st->snapshot.tcp_sockets[0].md5_keys[0].key.length_bytes,
            s.tcp_sockets[0].md5_keys[0].key.length_bytes);
}

TEST_F(CheckTest, CorruptStateIsReportedAndReplaced) {
  std::ofstream(options_.state_file) << "{not json";
  EXPECT_EQ(Check(HealthyDx()), kNagiosOk);
  EXPECT_EQ(err_.str(), "edgediag: ignoring the previous state: " + options_.state_file +
                            ": not valid JSON\n");
  EXPECT_TRUE(LoadCheckState(options_.state_file));
}

TEST_F(CheckTest, BareSnapshotIsAcceptedAsState) {
  // A state written by the first RunCheck (a plain snapshot document).
  ASSERT_TRUE(plugin::SaveSnapshot(HealthyDx(), options_.state_file));
  auto st = LoadCheckState(options_.state_file);
  ASSERT_TRUE(st) << st.error().what;
  EXPECT_EQ(st->snapshot, HealthyDx());
  EXPECT_THAT(st->subjects, IsEmpty());
}

TEST_F(CheckTest, RecentStateOnlyFromThisHostAndWithinTheWindow) {
  Check(HealthyDx());
  const std::int64_t t = HealthyDx().taken_at_ms;
  EXPECT_TRUE(LoadRecentState(options_.state_file, "edge-test", t + 60'000, 900'000));
  EXPECT_FALSE(LoadRecentState(options_.state_file, "edge-test", t + 901'000, 900'000));
  EXPECT_FALSE(LoadRecentState(options_.state_file, "edge-test", t - 1, 900'000));
  EXPECT_FALSE(LoadRecentState(options_.state_file, "other-router", t + 60'000, 900'000));
  EXPECT_FALSE(LoadRecentState((dir_ / "none.json").string(), "edge-test", t, 900'000));
}

// DiffStates on hand-built states: each change is one line.
CheckState State(std::vector<SubjectState> subjects, Snapshot s = HealthyDx()) {
  return CheckState{.snapshot = std::move(s), .subjects = std::move(subjects)};
}

TEST(DiffStates, BgpSessionDroppingIsOneWarning) {
  CheckState before = State({});
  Snapshot s = HealthyDx();
  s.bgp_neighbors[0].bgpState = "Active";
  s.bgp_neighbors[0].lastResetDueTo = "BGP Notification received\nHold Timer Expired";
  CheckState now = State({}, s);
  EXPECT_THAT(DiffStates(&before, now),
              ElementsAre(StateChange{LOG_WARNING,
                                      "BGP peer 169.254.10.1 (vrf default): Established -> Active, "
                                      "last reset: BGP Notification received?Hold Timer Expired"}));
  EXPECT_THAT(DiffStates(&now, before),
              ElementsAre(StateChange{LOG_NOTICE,
                                      "BGP peer 169.254.10.1 (vrf default): Active -> Established"}));
}

TEST(DiffStates, BgpFlapBetweenChecksIsLogged) {
  CheckState before = State({});
  Snapshot s = HealthyDx();
  s.bgp_neighbors[0].connectionsDropped = 2;
  s.bgp_neighbors[0].lastResetDueTo = "Hold Timer Expired";
  EXPECT_THAT(DiffStates(&before, State({}, s)),
              ElementsAre(StateChange{LOG_WARNING,
                                      "BGP peer 169.254.10.1 (vrf default): dropped 2 time(s) since "
                                      "the last check, Established again, last reset: Hold Timer "
                                      "Expired"}));
}

TEST(DiffStates, TunnelGoingOneWay) {
  SubjectState ok{"wg-peer", "wg0:KEY=", Severity::kOk, {{"wg.ok", Severity::kOk}}};
  SubjectState one_way{"wg-peer",
                       "wg0:KEY=",
                       Severity::kCritical,
                       {{"wg.traffic.one-way", Severity::kCritical}, {"wg.mtu", Severity::kInfo}}};
  CheckState before = State({ok});
  EXPECT_THAT(DiffStates(&before, State({one_way})),
              ElementsAre(StateChange{LOG_ERR, "wg-peer wg0:KEY=: ok -> critical"},
                          StateChange{LOG_ERR, "wg-peer wg0:KEY=: wg.traffic.one-way appeared (critical)"}));
}

TEST(DiffStates, SeverityChangeSubjectsComingAndGoing) {
  SubjectState a{"ipsec-connection", "site-a", Severity::kWarning,
                 {{"ipsec.nat.no-encap", Severity::kWarning}}};
  SubjectState a2{"ipsec-connection", "site-a", Severity::kCritical,
                  {{"ipsec.nat.no-encap", Severity::kCritical}}};
  SubjectState b{"ipsec-connection", "site-b", Severity::kOk, {{"ipsec.ok", Severity::kOk}}};
  CheckState first = State({a}), second = State({a2, b});
  EXPECT_THAT(DiffStates(&first, second),
              ElementsAre(StateChange{LOG_ERR, "ipsec-connection site-a: warning -> critical"},
                          StateChange{LOG_ERR, "ipsec-connection site-a: ipsec.nat.no-encap "
                                               "warning -> critical"},
                          StateChange{LOG_NOTICE, "ipsec-connection site-b: new subject, ok"}));
  EXPECT_THAT(DiffStates(&second, State({b})),
              ElementsAre(StateChange{LOG_NOTICE, "ipsec-connection site-a: gone (was critical)"}));
}

}  // namespace
}  // namespace edgediag::opmode

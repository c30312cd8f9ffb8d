// CaptureIpsec end to end against the fake charon replaying a real charon's
// recorded replies, and the source status for each way it can fail.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "plugin/capture.h"
#include "tests/support/fake_charon.h"

namespace edgediag::plugin {
namespace {

using edgediag::testing::FakeCharon;

std::string SocketPath(const char* tag) {
  return "/tmp/edgediag-capture-ipsec-" + std::string(tag) + "-" + std::to_string(::getpid());
}

FakeCharon::RawHandler Replay(const std::string& fixture) {
  return [fixture](const vici::Packet&) {
    return FakeCharon::Script{FakeCharon::Fixture(fixture), FakeCharon::Then::kContinue};
  };
}

CaptureOptions Options(const std::string& path, int timeout_ms = 2000) {
  CaptureOptions o;
  o.vici_socket = path;
  o.timeout_ms = timeout_ms;
  return o;
}

TEST(CaptureIpsecTest, FillsConnectionsAndSasFromRecordedReplies) {
  const std::string path = SocketPath("ok");
  FakeCharon charon(path);
  charon.KnowEvent("list-conn");
  charon.KnowEvent("list-sa");
  charon.OnCommandRaw("version", Replay("version.bin"));
  charon.OnCommandRaw("list-conns", Replay("list-conns-initiator.bin"));
  charon.OnCommandRaw("list-sas", Replay("list-sas-initiator.bin"));
  vici::Message trap;
  vici::Entry e{vici::Entry::Kind::kSection, "aws/lan", "", {}, {}};
  e.section.entries.push_back({vici::Entry::Kind::kValue, "child", "lan", {}, {}});
  e.section.entries.push_back({vici::Entry::Kind::kValue, "mode", "TUNNEL", {}, {}});
  trap.entries.push_back(e);
  charon.OnCommand("list-policies", {}, "list-policy", {trap});
  charon.Start();
  Snapshot s;
  CaptureIpsec(s, Options(path));
  EXPECT_EQ(s.Source(kSourceVici), (SourceStatus{SourceState::kOk, ""}));
  EXPECT_EQ(s.ipsec_connections.size(), 2u);
  ASSERT_EQ(s.ike_sas.size(), 2u);
  EXPECT_EQ(s.ike_sas[0].child_sas.size(), 2u);
  ASSERT_EQ(s.ipsec_policies.size(), 1u);
  EXPECT_EQ(s.ipsec_policies[0].ike, "aws");
  EXPECT_EQ(s.ipsec_policies[0].child, "lan");
  // Read-only and secret-free: exactly these commands, list-sas with noblock.
  std::vector<std::string> commands;
  for (const vici::Packet& p : charon.Received()) {
    if (p.type == vici::PacketType::kCmdRequest) commands.push_back(p.name);
  }
  EXPECT_EQ(commands,
            (std::vector<std::string>{"version", "list-conns", "list-sas", "list-policies"}));
}

TEST(CaptureIpsecTest, CharonWithoutListPoliciesIsStillOk) {
  const std::string path = SocketPath("nopol");
  FakeCharon charon(path);
  charon.KnowEvent("list-conn");
  charon.KnowEvent("list-sa");
  charon.OnCommandRaw("version", Replay("version.bin"));
  charon.OnCommandRaw("list-conns", Replay("list-conns-initiator.bin"));
  charon.OnCommandRaw("list-sas", Replay("list-sas-initiator.bin"));
  charon.Start();
  Snapshot s;
  CaptureIpsec(s, Options(path));
  const SourceStatus& v = s.Source(kSourceVici);
  EXPECT_EQ(v.state, SourceState::kOk);
  ASSERT_EQ(v.warnings.size(), 1u);
  EXPECT_EQ(v.warnings[0].rfind("trap and shunt policies not read: ", 0), 0u) << v.warnings[0];
  EXPECT_EQ(s.ike_sas.size(), 2u);
  EXPECT_TRUE(s.ipsec_policies.empty());
}

TEST(CaptureIpsecTest, NoSocketMeansStrongSwanNotRunning) {
  Snapshot s;
  CaptureIpsec(s, Options("/nonexistent/charon.vici"));
  EXPECT_EQ(s.Source(kSourceVici),
            (SourceStatus{SourceState::kUnavailable,
                          "strongSwan not running: no VICI socket at /nonexistent/charon.vici"}));
  EXPECT_TRUE(s.ike_sas.empty());
}

TEST(CaptureIpsecTest, StaleSocketMeansStrongSwanNotRunning) {
  const std::string path = SocketPath("stale");
  { FakeCharon charon(path); }  // bound and listening once, then gone: the socket file stays
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  path.copy(addr.sun_path, sizeof(addr.sun_path) - 1);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ::close(fd);
  Snapshot s;
  CaptureIpsec(s, Options(path));
  ::unlink(path.c_str());
  EXPECT_EQ(s.Source(kSourceVici),
            (SourceStatus{SourceState::kUnavailable,
                          "strongSwan not running: nothing listening on " + path}));
}

TEST(CaptureIpsecTest, SilentCharonTimesOutWithinTheSourceTimeout) {
  const std::string path = SocketPath("hang");
  FakeCharon charon(path);
  charon.OnCommandRaw("version", [](const vici::Packet&) {
    return FakeCharon::Script{{}, FakeCharon::Then::kHang};
  });
  charon.Start();
  Snapshot s;
  const auto start = std::chrono::steady_clock::now();
  CaptureIpsec(s, Options(path, 200));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(1500));
  EXPECT_EQ(s.Source(kSourceVici).state, SourceState::kUnavailable);
  EXPECT_EQ(s.Source(kSourceVici).reason,
            "charon did not answer in time: VICI deadline passed while waiting for charon");
}

TEST(CaptureIpsecTest, PartialResultsAreNotKeptOnError) {
  const std::string path = SocketPath("partial");
  FakeCharon charon(path);
  charon.KnowEvent("list-conn");
  charon.KnowEvent("list-sa");
  charon.OnCommandRaw("version", Replay("version.bin"));
  charon.OnCommandRaw("list-conns", Replay("list-conns-initiator.bin"));
  charon.OnCommandRaw("list-sas", [](const vici::Packet&) {
    auto bytes = FakeCharon::Fixture("list-sas-initiator.bin");
    bytes.resize(bytes.size() / 2);
    return FakeCharon::Script{bytes, FakeCharon::Then::kClose};
  });
  charon.Start();
  Snapshot s;
  CaptureIpsec(s, Options(path));
  EXPECT_EQ(s.Source(kSourceVici).state, SourceState::kUnavailable);
  EXPECT_NE(s.Source(kSourceVici).reason.find("mid-message"), std::string::npos)
      << s.Source(kSourceVici).reason;
  EXPECT_TRUE(s.ipsec_connections.empty());
  EXPECT_TRUE(s.ike_sas.empty());
}

}  // namespace
}  // namespace edgediag::plugin

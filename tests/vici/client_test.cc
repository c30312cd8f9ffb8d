// The VICI client against an in-process fake charon: answers, event streams,
// unknown commands/events, and peers that close, stall or lie about sizes.
#include "vici/client.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <vector>

#include "tests/support/fake_charon.h"
#include "vici/builder.h"

namespace edgediag::vici {
namespace {

using std::chrono::milliseconds;
using testing::FakeCharon;

Message Kv(std::initializer_list<std::pair<std::string, std::string>> kvs) {
  Message m;
  for (const auto& [k, v] : kvs) m.entries.push_back(Entry{Entry::Kind::kValue, k, v, {}, {}});
  return m;
}

Message IkeSaEvent(const std::string& name, const std::string& uniqueid) {
  Message m;
  Entry sa{Entry::Kind::kSection, name, "", {}, {}};
  sa.section = Kv({{"uniqueid", uniqueid}, {"state", "ESTABLISHED"}});
  m.entries.push_back(sa);
  return m;
}

Client Connected(FakeCharon& charon, milliseconds timeout = milliseconds(2000)) {
  charon.Start();
  return Client(charon.ClientFd(), timeout);
}

std::vector<std::string> Trace(const FakeCharon& charon) {
  std::vector<std::string> out;
  for (const Packet& p : charon.Received()) {
    out.push_back(PacketTypeName(static_cast<std::uint8_t>(p.type)) + " " + p.name);
  }
  return out;
}

TEST(ViciClientTest, CommandReturnsTheResponse) {
  FakeCharon charon;
  charon.OnCommand("version", Kv({{"daemon", "charon"}, {"version", "5.9.8"}}));
  Client client = Connected(charon);
  auto reply = client.Command("version");
  ASSERT_TRUE(reply) << reply.error().what;
  EXPECT_EQ(*reply->Value("version"), "5.9.8");
  EXPECT_EQ(Trace(charon), std::vector<std::string>{"CMD_REQUEST version"});
}

TEST(ViciClientTest, CommandSendsItsBody) {
  FakeCharon charon;
  charon.OnCommand("list-sas", {});
  Client client = Connected(charon);
  auto body = Builder().Add("noblock", "yes").Finish();
  ASSERT_TRUE(body);
  ASSERT_TRUE(client.Command("list-sas", *body));
  auto received = charon.Received();
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0].body, *body);
}

TEST(ViciClientTest, StreamedCommandCollectsEventsUntilTheResponse) {
  FakeCharon charon;
  charon.OnCommand("list-sas", Kv({}), "list-sa",
                   {IkeSaEvent("a", "1"), IkeSaEvent("b", "2"), IkeSaEvent("c", "3")});
  charon.OnCommand("version", Kv({{"version", "5.9.8"}}));
  Client client = Connected(charon);
  std::vector<std::string> names;
  auto reply = client.StreamedCommand("list-sas", "list-sa", {}, [&](Message&& m) -> Result<void> {
    names.push_back(m.entries.at(0).name + "#" + *m.entries.at(0).section.Value("uniqueid"));
    return {};
  });
  ASSERT_TRUE(reply) << reply.error().what;
  EXPECT_EQ(names, (std::vector<std::string>{"a#1", "b#2", "c#3"}));
  EXPECT_EQ(Trace(charon),
            (std::vector<std::string>{"EVENT_REGISTER list-sa", "CMD_REQUEST list-sas",
                                      "EVENT_UNREGISTER list-sa"}));
  // The connection stays usable for the next command.
  EXPECT_TRUE(client.Command("version"));
}

TEST(ViciClientTest, StreamedCommandWithNoEvents) {
  FakeCharon charon;
  charon.OnCommand("list-conns", Kv({}), "list-conn", {});
  Client client = Connected(charon);
  int events = 0;
  auto reply =
      client.StreamedCommand("list-conns", "list-conn", {}, [&](Message&&) -> Result<void> {
        ++events;
        return {};
      });
  ASSERT_TRUE(reply) << reply.error().what;
  EXPECT_EQ(events, 0);
}

TEST(ViciClientTest, UnknownCommandIsAnErrorAndTheConnectionSurvives) {
  FakeCharon charon;
  charon.OnCommand("version", Kv({{"version", "5.9.8"}}));
  Client client = Connected(charon);
  auto reply = client.Command("no-such-command");
  ASSERT_FALSE(reply);
  EXPECT_EQ(reply.error().code, Error::Code::kProtocol);
  EXPECT_EQ(reply.error().what, "charon does not know the VICI command \"no-such-command\"");
  EXPECT_TRUE(client.Command("version"));
}

TEST(ViciClientTest, UnknownStreamedCommandUnregistersAgain) {
  FakeCharon charon;
  charon.KnowEvent("list-sa");
  charon.OnCommand("version", Kv({{"version", "5.9.8"}}));
  Client client = Connected(charon);
  auto reply = client.StreamedCommand("list-nothing", "list-sa", {},
                                      [](Message&&) -> Result<void> { return {}; });
  ASSERT_FALSE(reply);
  EXPECT_EQ(reply.error().what, "charon does not know the VICI command \"list-nothing\"");
  EXPECT_TRUE(client.Command("version"));
  EXPECT_EQ(Trace(charon),
            (std::vector<std::string>{"EVENT_REGISTER list-sa", "CMD_REQUEST list-nothing",
                                      "EVENT_UNREGISTER list-sa", "CMD_REQUEST version"}));
}

TEST(ViciClientTest, UnknownEventIsAnError) {
  FakeCharon charon;
  Client client = Connected(charon);
  auto r = client.Register("no-such-event");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Error::Code::kProtocol);
  EXPECT_EQ(r.error().what, "charon does not know the VICI event \"no-such-event\"");
  auto streamed = client.StreamedCommand("list-sas", "no-such-event", {},
                                         [](Message&&) -> Result<void> { return {}; });
  ASSERT_FALSE(streamed);
  EXPECT_EQ(streamed.error().what, "charon does not know the VICI event \"no-such-event\"");
}

TEST(ViciClientTest, SinkErrorAbortsAndPoisonsTheConnection) {
  FakeCharon charon;
  charon.OnCommand("list-sas", Kv({}), "list-sa", {IkeSaEvent("a", "1"), IkeSaEvent("b", "2")});
  Client client = Connected(charon);
  auto reply = client.StreamedCommand("list-sas", "list-sa", {}, [](Message&&) -> Result<void> {
    return MakeError(Error::Code::kInvalidInput, "bad uniqueid");
  });
  ASSERT_FALSE(reply);
  EXPECT_EQ(reply.error().what, "bad uniqueid");
  auto next = client.Command("version");
  ASSERT_FALSE(next);
  EXPECT_EQ(next.error().what, "VICI connection unusable after: bad uniqueid");
}

TEST(ViciClientTest, PeerClosingMidMessageIsAnError) {
  FakeCharon charon;
  charon.OnCommandRaw("version", [](const Packet&) {
    auto full = FakeCharon::Frame(PacketType::kCmdResponse, "", Kv({{"version", "5.9.8"}}));
    full.resize(10);  // 4 bytes of length, 6 of the 17-byte frame
    return FakeCharon::Script{full, FakeCharon::Then::kClose};
  });
  Client client = Connected(charon);
  auto reply = client.Command("version");
  ASSERT_FALSE(reply);
  EXPECT_EQ(reply.error().code, Error::Code::kProtocol);
  EXPECT_EQ(reply.error().what, "charon closed the VICI connection mid-message (6 of 17 bytes)");
}

TEST(ViciClientTest, PeerClosingMidEventStreamIsAnError) {
  FakeCharon charon;
  charon.KnowEvent("list-sa");
  charon.OnCommandRaw("list-sas", [](const Packet&) {
    auto bytes = FakeCharon::Frame(PacketType::kEvent, "list-sa", IkeSaEvent("a", "1"));
    auto second = FakeCharon::Frame(PacketType::kEvent, "list-sa", IkeSaEvent("b", "2"));
    bytes.insert(bytes.end(), second.begin(), second.begin() + 2);  // half a length prefix
    return FakeCharon::Script{bytes, FakeCharon::Then::kClose};
  });
  Client client = Connected(charon);
  int events = 0;
  auto reply = client.StreamedCommand("list-sas", "list-sa", {}, [&](Message&&) -> Result<void> {
    ++events;
    return {};
  });
  ASSERT_FALSE(reply);
  EXPECT_EQ(events, 1);
  EXPECT_EQ(reply.error().what, "charon closed the VICI connection mid-message (2 of 4 bytes)");
}

TEST(ViciClientTest, PeerClosingBeforeAnsweringIsUnavailable) {
  FakeCharon charon;
  charon.OnCommandRaw("version", [](const Packet&) {
    return FakeCharon::Script{{}, FakeCharon::Then::kClose};
  });
  Client client = Connected(charon);
  auto reply = client.Command("version");
  ASSERT_FALSE(reply);
  EXPECT_EQ(reply.error().code, Error::Code::kUnavailable);
  EXPECT_EQ(reply.error().what, "charon closed the VICI connection");
}

TEST(ViciClientTest, PeerThatNeverAnswersTimesOut) {
  FakeCharon charon;
  charon.OnCommandRaw("version", [](const Packet&) {
    return FakeCharon::Script{{}, FakeCharon::Then::kHang};
  });
  Client client = Connected(charon, milliseconds(200));
  const auto start = std::chrono::steady_clock::now();
  auto reply = client.Command("version");
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(reply);
  EXPECT_EQ(reply.error().code, Error::Code::kTimeout);
  EXPECT_EQ(reply.error().what, "VICI: no progress for 200 ms while waiting for charon");
  EXPECT_LT(took, milliseconds(1500));
}

TEST(ViciClientTest, PeerThatTricklesStopsAtTheOverallDeadline) {
  FakeCharon charon;
  // An endless stream of events, each well within the per-read timeout.
  charon.KnowEvent("list-sa");
  charon.OnCommandRaw("list-sas", [](const Packet&) {
    std::vector<std::byte> bytes;
    for (int i = 0; i < 200; ++i) {
      auto e = FakeCharon::Frame(PacketType::kEvent, "list-sa", IkeSaEvent("a", "1"));
      bytes.insert(bytes.end(), e.begin(), e.end());
    }
    return FakeCharon::Script{bytes, FakeCharon::Then::kHang};
  });
  Client client = Connected(charon, milliseconds(2000));
  client.SetDeadline(Clock::now() + milliseconds(300));
  const auto start = std::chrono::steady_clock::now();
  auto reply = client.StreamedCommand("list-sas", "list-sa", {},
                                      [](Message&&) -> Result<void> { return {}; });
  ASSERT_FALSE(reply);
  EXPECT_EQ(reply.error().code, Error::Code::kTimeout);
  EXPECT_EQ(reply.error().what, "VICI deadline passed while waiting for charon");
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(1500));
}

TEST(ViciClientTest, OversizedFrameIsRejectedBeforeReadingIt) {
  FakeCharon charon;
  charon.OnCommandRaw("version", [](const Packet&) {
    // Claims 16 MiB, sends nothing more: the client must not wait for it.
    std::vector<std::byte> prefix = {std::byte{0x01}, std::byte{0}, std::byte{0}, std::byte{0}};
    return FakeCharon::Script{prefix, FakeCharon::Then::kHang};
  });
  Client client = Connected(charon, milliseconds(2000));
  auto reply = client.Command("version");
  ASSERT_FALSE(reply);
  EXPECT_EQ(reply.error().code, Error::Code::kProtocol);
  EXPECT_EQ(reply.error().what, "VICI frame of 16777216 bytes exceeds the 512 KiB limit");
}

TEST(ViciClientTest, MalformedResponseBodyIsAnError) {
  FakeCharon charon;
  charon.OnCommandRaw("version", [](const Packet&) {
    const std::vector<std::byte> body = {std::byte{1}, std::byte{1}, std::byte{'s'}};  // unclosed
    auto bytes = EncodePacket(PacketType::kCmdResponse, "", body);
    return FakeCharon::Script{*bytes, FakeCharon::Then::kContinue};
  });
  Client client = Connected(charon);
  auto reply = client.Command("version");
  ASSERT_FALSE(reply);
  EXPECT_EQ(reply.error().what, "VICI message: 1 section(s) left open at the end at byte 3");
}

TEST(ViciClientTest, UnexpectedPacketTypeIsAProtocolError) {
  FakeCharon charon;
  charon.OnCommandRaw("version", [](const Packet&) {
    return FakeCharon::Script{FakeCharon::Frame(PacketType::kEventConfirm, ""),
                              FakeCharon::Then::kContinue};
  });
  Client client = Connected(charon);
  auto reply = client.Command("version");
  ASSERT_FALSE(reply);
  EXPECT_EQ(reply.error().what,
            "unexpected VICI EVENT_CONFIRM while waiting for the answer to \"version\"");
}

TEST(ViciClientTest, ConnectsOverAUnixSocket) {
  const std::string path = "/tmp/edgediag-vici-test-" + std::to_string(::getpid()) + ".sock";
  FakeCharon charon(path);
  charon.OnCommand("version", Kv({{"version", "5.9.8"}}));
  charon.Start();
  auto client = Client::Connect(path, milliseconds(2000));
  ASSERT_TRUE(client) << client.error().what;
  auto reply = client->Command("version");
  ASSERT_TRUE(reply) << reply.error().what;
  EXPECT_EQ(*reply->Value("version"), "5.9.8");
}

TEST(ViciClientTest, ConnectToAMissingSocketIsUnavailable) {
  auto client = Client::Connect("/nonexistent/charon.vici", milliseconds(200));
  ASSERT_FALSE(client);
  EXPECT_EQ(client.error().code, Error::Code::kUnavailable);
  EXPECT_EQ(client.error().what, "no VICI socket at /nonexistent/charon.vici");
}

TEST(ViciClientTest, ConnectToAStaleSocketIsUnavailable) {
  const std::string path = "/tmp/edgediag-vici-stale-" + std::to_string(::getpid()) + ".sock";
  {
    int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    path.copy(addr.sun_path, sizeof(addr.sun_path) - 1);
    ::unlink(path.c_str());
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    ::close(fd);  // bound, never listening: what a crashed charon leaves behind
  }
  auto client = Client::Connect(path, milliseconds(200));
  ::unlink(path.c_str());
  ASSERT_FALSE(client);
  EXPECT_EQ(client.error().code, Error::Code::kUnavailable);
  EXPECT_EQ(client.error().what, "nothing listening on the VICI socket " + path);
}

TEST(ViciClientTest, ConnectRejectsAnOverlongPath) {
  auto client = Client::Connect(std::string(200, 'x'), milliseconds(200));
  ASSERT_FALSE(client);
  EXPECT_EQ(client.error().code, Error::Code::kInvalidInput);
}

}  // namespace
}  // namespace edgediag::vici

// An in-process fake charon for VICI client tests: a thread serving one
// connection, on a socketpair or a listening unix socket. It answers like
// charon (event registration, streamed commands, CMD_UNKNOWN/EVENT_UNKNOWN)
// and can be scripted to misbehave (close mid-message, never answer, send
// anything raw).
#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "base/unique_fd.h"
#include "vici/message.h"
#include "vici/packet.h"

namespace edgediag::testing {

class FakeCharon {
 public:
  /// What to do after writing a scripted answer.
  enum class Then { kContinue, kClose, kHang };
  /// A raw answer to one request: bytes to write, then what to do.
  struct Script {
    std::vector<std::byte> bytes;
    Then then = Then::kContinue;
  };
  using RawHandler = std::function<Script(const vici::Packet& request)>;

  /// Serves on a unix socket listening at `path`, or, when `path` is empty,
  /// on a socketpair whose other end ClientFd() hands out.
  explicit FakeCharon(std::string path = "");
  ~FakeCharon();
  FakeCharon(const FakeCharon&) = delete;
  FakeCharon& operator=(const FakeCharon&) = delete;

  /// Command `name` answers `response`; when `event` is not empty, it first
  /// streams `events` as EVENT packets `event` (if the client registered).
  void OnCommand(const std::string& name, vici::Message response, const std::string& event = "",
                 std::vector<vici::Message> events = {});
  /// Command `name` is answered with raw bytes instead (misbehaviour).
  void OnCommandRaw(const std::string& name, RawHandler handler);
  /// Events clients may register for (OnCommand's events are added).
  void KnowEvent(const std::string& name);

  /// Starts serving. Call after the On*() setup.
  void Start();
  /// The client end of the socketpair (only without a path).
  UniqueFd ClientFd();

  /// The packets received so far, in order.
  std::vector<vici::Packet> Received() const;

  /// The bytes of tests/data/vici/NAME (charon's recorded frames); aborts if missing.
  static std::vector<std::byte> Fixture(const std::string& name);
  /// Splits concatenated frames (as recorded) into packets; aborts if malformed.
  static std::vector<vici::Packet> Frames(const std::vector<std::byte>& bytes);

  /// An encoded packet (length prefix included); aborts the test on misuse.
  static std::vector<std::byte> Frame(vici::PacketType type, const std::string& name,
                                      const vici::Message& message = {});

 private:
  struct Streamed {
    vici::Message response;
    std::string event;
    std::vector<vici::Message> events;
  };
  void Serve();
  bool Handle(int fd, const vici::Packet& request);  // false: stop serving
  bool ReadAll(int fd, std::byte* data, std::size_t size);
  void HangUntilStopped();

  std::string path_;
  UniqueFd listen_fd_, server_fd_, client_fd_;
  UniqueFd stop_read_, stop_write_;
  std::map<std::string, Streamed> commands_;
  std::map<std::string, RawHandler> raw_;
  std::set<std::string> known_events_, registered_;
  mutable std::mutex mu_;
  std::vector<vici::Packet> received_;
  std::thread thread_;
};

}  // namespace edgediag::testing

// A VICI client over charon's unix stream socket. Every wait is bounded: each
// read or write waits at most `io_timeout`, and every call also stops at the
// client's overall deadline, so a charon that accepts and never answers (or
// trickles bytes) cannot hang us. One command is outstanding at a time
// (VICI allows no more). After an I/O or protocol error mid-exchange the
// connection's state is unknown: the client refuses further calls.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "base/result.h"
#include "base/unique_fd.h"
#include "vici/message.h"
#include "vici/packet.h"

namespace edgediag::vici {

using Clock = std::chrono::steady_clock;

class Client {
 public:
  /// Connects to `path` (e.g. /var/run/charon.vici) within `timeout`, which
  /// then bounds each read and write; SetDeadline() bounds whole exchanges.
  /// Errors: kUnavailable (no socket, nobody listening), kPermissionDenied,
  /// kTimeout, kInvalidInput (path too long), kIo.
  static Result<Client> Connect(const std::string& path, std::chrono::milliseconds timeout);

  /// Wraps a connected stream socket (tests hand in one end of a socketpair).
  Client(UniqueFd fd, std::chrono::milliseconds io_timeout);

  /// Bounds every later call: no wait goes past `deadline`.
  void SetDeadline(Clock::time_point deadline) { deadline_ = deadline; }

  /// Sends command `name` with an encoded message `body` (see builder.h;
  /// empty: no elements) and returns the decoded CMD_RESPONSE.
  /// CMD_UNKNOWN is a kProtocol error naming the command.
  Result<Message> Command(std::string_view name, std::span<const std::byte> body = {});

  /// Subscribes to / unsubscribes from event `name`. EVENT_UNKNOWN is an error.
  Result<void> Register(std::string_view name);
  Result<void> Unregister(std::string_view name);

  /// What a streamed command hands over per event; an error aborts the call.
  using EventSink = std::function<Result<void>(Message&&)>;

  /// A streamed command (list-sas, list-conns): registers `event`, sends
  /// `command`, hands every `event` message to `sink` until the CMD_RESPONSE,
  /// unregisters, and returns the response.
  Result<Message> StreamedCommand(std::string_view command, std::string_view event,
                                  std::span<const std::byte> body, const EventSink& sink);

  /// Sends one raw packet / reads the next one (the building blocks above).
  Result<void> Send(PacketType type, std::string_view name, std::span<const std::byte> body);
  Result<Packet> Receive();

 private:
  Result<void> WriteAll(std::span<const std::byte> data);
  /// Reads exactly data.size() bytes; at `frame_start` a close is not mid-message.
  Result<void> ReadExact(std::span<std::byte> data, bool frame_start);
  /// Waits for `events` on the socket within io_timeout_ and deadline_.
  Result<void> Wait(short events, std::string_view doing);
  /// Reads packets until the answer to a (un)registration, skipping events.
  Result<void> AwaitConfirm(std::string_view doing, std::string_view name);
  Result<void> Usable() const;
  /// Remembers `error` as the reason the connection is unusable; returns it.
  Error Break(Error error);

  UniqueFd fd_;
  std::chrono::milliseconds io_timeout_;
  std::optional<Clock::time_point> deadline_;
  std::optional<Error> broken_;
};

}  // namespace edgediag::vici

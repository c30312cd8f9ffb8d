// WireGuard's view (generic netlink) read the way the wg.* rules need it:
// the protocol's timers and sizes, subjects and labels, and the interfaces
// and peers by name and key.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "plugin/finding.h"
#include "plugin/ip.h"
#include "plugin/snapshot.h"

namespace edgediag::plugin {

// The protocol's timers (drivers/net/wireguard/messages.h: REKEY_AFTER_TIME
// 120 s, REJECT_AFTER_TIME 180 s, REKEY_TIMEOUT 5 s, KEEPALIVE_TIMEOUT 10 s)
// and message sizes (initiation 148 B, response 92 B, keepalive 32 B). Every
// threshold of the wg.* rules is derived from these (docs/checks.md,
// "WireGuard timers"), never written as a number of minutes.
constexpr std::int64_t kRekeyAfterTime = 120;   // a sender starts a new handshake after this
constexpr std::int64_t kRejectAfterTime = 180;  // a session is dead after this
constexpr std::int64_t kRekeyTimeout = 5;       // an initiation is retried after this
constexpr std::int64_t kKeepaliveTimeout = 10;  // passive keepalive after received data
constexpr std::uint64_t kInitiation = 148, kResponse = 92, kKeepalive = 32;
constexpr std::uint32_t kOverheadV4 = 60, kOverheadV6 = 80;  // IP + UDP 8 + WireGuard 32

Subject InterfaceSubject(const WgInterface& w);
/// "wg0:KEY", with the peer's friendly name.
Subject PeerSubject(const WgInterface& w, const WgPeer& p);
/// How a peer is named in one-line messages: its configured name, else the
/// start of its public key.
std::string Label(const WgPeer& p);
/// The peer's configuration path on VyOS, or a placeholder without a name.
std::string VyosPeer(const WgInterface& w, const WgPeer& p);
/// "VyOS `show interfaces wireguard wg0`; Linux `wg show wg0`".
std::string Verify(const WgInterface& w);
/// An interface whose peers cannot work whatever else holds: their own
/// findings would only repeat it.
bool AdminDown(const Snapshot& s, const WgInterface& w);
/// The snapshot's time in unix seconds.
std::int64_t NowSeconds(const Snapshot& s);
/// Seconds since the last handshake; nullopt when never or the clock is unknown.
std::optional<std::int64_t> HandshakeAge(const Snapshot& s, const WgPeer& p);
/// The age past which a peer that keeps sending (data or persistent
/// keepalives) has lost its session: REJECT_AFTER_TIME, or, with a
/// keepalive interval long enough that a keypair lapses between two
/// keepalives, REKEY_AFTER_TIME + the interval + REKEY_TIMEOUT.
std::int64_t StaleAfter(const WgPeer& p);

/// Why a peer is expected to be up, strongest reason first; `up` false for
/// a peer that may legitimately be offline (a road warrior).
struct ExpectUp {
  enum class Why { kNone, kOperator, kKeepalive, kSending, kConfiguredEndpoint };
  Why why = Why::kNone;
  std::string reason;  ///< for messages: "it is marked expected up (--expect-up)", ...
  bool up() const { return why != Why::kNone; }
};
/// `sent`: bytes sent to the peer since the previous sample, when known.
ExpectUp ExpectedUp(const WgPeer& p, std::optional<std::uint64_t> sent,
                    std::int64_t window_seconds);

/// A peer with no live session (never a handshake, or one older than
/// REJECT_AFTER_TIME) that nothing marks as expected up: an offline road
/// warrior, normal on a hub.
bool Idle(const Snapshot& s, const WgPeer& p, const ExpectUp& expect);

/// "ADDR:PORT" / "[ADDR]:PORT" -> the address.
std::optional<Prefix> EndpointAddress(const std::string& endpoint);

/// WireGuard interfaces and peers by name and key, in O(1): built once per
/// snapshot so that the ok findings of 100,000 peers stay linear.
class WireguardLookup {
 public:
  explicit WireguardLookup(const Snapshot& s);
  const WgInterface* FindInterface(std::string_view name) const;
  const WgPeer* FindPeer(std::string_view ifname, std::string_view public_key) const;

 private:
  // Keys are views into the snapshot: no copies of 100,000 keys.
  struct Entry {
    const WgInterface* interface = nullptr;
    std::unordered_map<std::string_view, const WgPeer*> peers;
  };
  std::unordered_map<std::string_view, Entry> interfaces_;
};

}  // namespace edgediag::plugin

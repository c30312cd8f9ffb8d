// WireGuard's view (generic netlink) read the way the wg.* rules need it.
#include "plugin/wg_model.h"

#include <fmt/format.h>

#include <algorithm>

#include "plugin/vpn_common.h"

namespace edgediag::plugin {

Subject InterfaceSubject(const WgInterface& w) {
  return {SubjectKind::kWgInterface, w.name, w.name, "", ""};
}

Subject PeerSubject(const WgInterface& w, const WgPeer& p) {
  return {SubjectKind::kWgPeer, Cat({w.name, ":", p.public_key}), w.name, p.public_key, p.name};
}

/// How a peer is named in one-line messages: its configured name, else the
/// start of its public key.
std::string Label(const WgPeer& p) {
  if (!p.name.empty()) return p.name;
  return p.public_key.size() > 8 ? p.public_key.substr(0, 8) + "..." : p.public_key;
}

/// The peer's configuration path on VyOS, or a placeholder without a name.
std::string VyosPeer(const WgInterface& w, const WgPeer& p) {
  return fmt::format("interfaces wireguard {} peer {}", w.name, p.name.empty() ? "NAME" : p.name);
}

std::string Verify(const WgInterface& w) {
  return fmt::format("VyOS `show interfaces wireguard {0}`; Linux `wg show {0}`", w.name);
}

// An interface whose peers cannot work whatever else holds: their own
// findings would only repeat it.
bool AdminDown(const Snapshot& s, const WgInterface& w) {
  if (!KernelOk(s)) return false;
  const Interface* i = s.FindInterface(w.name);
  return i && !i->admin_up;
}

std::int64_t NowSeconds(const Snapshot& s) { return s.taken_at_ms / 1000; }

/// Seconds since the last handshake; nullopt when never or the clock is unknown.
std::optional<std::int64_t> HandshakeAge(const Snapshot& s, const WgPeer& p) {
  if (p.last_handshake == 0 || s.taken_at_ms == 0) return std::nullopt;
  return std::max<std::int64_t>(0, NowSeconds(s) - p.last_handshake);
}

std::int64_t StaleAfter(const WgPeer& p) {
  return std::max<std::int64_t>(kRejectAfterTime,
                                kRekeyAfterTime + p.persistent_keepalive + kRekeyTimeout);
}

ExpectUp ExpectedUp(const WgPeer& p, std::optional<std::uint64_t> sent,
                    std::int64_t window_seconds) {
  if (p.expect_up) return {ExpectUp::Why::kOperator, "it is marked expected up (--expect-up)"};
  if (p.persistent_keepalive > 0)
    return {ExpectUp::Why::kKeepalive,
            fmt::format("persistent keepalive ({} s) keeps sending", p.persistent_keepalive)};
  if (sent && *sent > 0)
    return {ExpectUp::Why::kSending,
            fmt::format("{} were sent in the last {} s", FormatBytes(*sent), window_seconds)};
  if (p.endpoint_configured)
    return {ExpectUp::Why::kConfiguredEndpoint,
            fmt::format("its endpoint {} is configured", p.endpoint.empty() ? "(none)" : p.endpoint)};
  return {};
}

bool Idle(const Snapshot& s, const WgPeer& p, const ExpectUp& expect) {
  if (expect.up()) return false;
  // Initiations sent that were never answered are not idleness:
  // wg.handshake.never speaks for them.
  if (p.last_handshake == 0) return p.tx_bytes == 0;
  auto age = HandshakeAge(s, p);
  return age && *age > kRejectAfterTime;
}

/// "ADDR:PORT" / "[ADDR]:PORT" -> the address.
std::optional<Prefix> EndpointAddress(const std::string& endpoint) {
  if (endpoint.empty()) return std::nullopt;
  if (endpoint.front() == '[') {
    auto close = endpoint.find(']');
    if (close == std::string::npos) return std::nullopt;
    return ParseAddress(endpoint.substr(1, close - 1));
  }
  auto colon = endpoint.rfind(':');
  return ParseAddress(colon == std::string::npos ? endpoint : endpoint.substr(0, colon));
}

WireguardLookup::WireguardLookup(const Snapshot& s) {
  for (const auto& w : s.wireguard) {
    Entry& e = interfaces_[w.name];
    e.interface = &w;
    e.peers.reserve(w.peers.size());
    for (const auto& p : w.peers) e.peers.emplace(p.public_key, &p);
  }
}

const WgInterface* WireguardLookup::FindInterface(std::string_view name) const {
  auto it = interfaces_.find(name);
  return it == interfaces_.end() ? nullptr : it->second.interface;
}

const WgPeer* WireguardLookup::FindPeer(std::string_view ifname, std::string_view key) const {
  auto it = interfaces_.find(ifname);
  if (it == interfaces_.end()) return nullptr;
  auto p = it->second.peers.find(key);
  return p == it->second.peers.end() ? nullptr : p->second;
}

}  // namespace edgediag::plugin

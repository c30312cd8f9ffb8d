// The wg.* catalogue, and net.rp-filter.strict. Ids are API: add, never
// rename. Sources: FACTS.md "WireGuard" (timers from
// drivers/net/wireguard/messages.h: REKEY_AFTER_TIME 120 s,
// REJECT_AFTER_TIME 180 s, KEEPALIVE_TIMEOUT 10 s; message sizes from the
// protocol: initiation 148 B, response 92 B, keepalive 32 B).
//
// Every rule here is linear in the number of peers and AllowedIPs: lookups
// go through hash maps and PrefixTrie, never peer against peer.
#include <fmt/format.h>

#include <algorithm>
#include <unordered_map>

#include "plugin/prefix_trie.h"
#include "plugin/rules.h"
#include "plugin/vpn_rules.h"

namespace edgediag::plugin {
namespace {

constexpr std::int64_t kRejectAfterTime = 180;  // a session is dead after this
constexpr std::int64_t kKeepaliveTimeout = 10;  // passive keepalive after received data
constexpr std::uint64_t kInitiation = 148, kResponse = 92, kKeepalive = 32;
constexpr std::uint32_t kOverheadV4 = 60, kOverheadV6 = 80;  // IP + UDP 8 + WireGuard 32

bool KernelOk(const Snapshot& s) { return s.Source(kSourceKernel).state == SourceState::kOk; }

Subject InterfaceSubject(const WgInterface& w) {
  return {SubjectKind::kWgInterface, w.name, w.name, "", ""};
}

Subject PeerSubject(const WgInterface& w, const WgPeer& p) {
  std::string id;
  id.reserve(w.name.size() + 1 + p.public_key.size());
  id.append(w.name).append(1, ':').append(p.public_key);
  return {SubjectKind::kWgPeer, std::move(id), w.name, p.public_key, p.name};
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

/// The previous sample's peers, by interface and public key. Keys are views
/// into the previous snapshot: no copies of 100,000 keys.
class PreviousPeers {
 public:
  explicit PreviousPeers(const Snapshot* prev) : prev_(prev) {}
  const WgPeer* Find(const WgInterface& w, const WgPeer& p) const {
    if (!prev_) return nullptr;
    auto& peers = ByInterface(w.name);
    auto it = peers.find(p.public_key);
    return it == peers.end() ? nullptr : it->second;
  }

 private:
  using Peers = std::unordered_map<std::string_view, const WgPeer*>;
  const Peers& ByInterface(const std::string& name) const {
    auto it = map_.find(name);
    if (it != map_.end()) return it->second;
    Peers& peers = map_[name];
    for (const auto& w : prev_->wireguard) {
      if (w.name != name) continue;
      peers.reserve(w.peers.size());
      for (const auto& p : w.peers) peers.emplace(p.public_key, &p);
    }
    return peers;
  }
  const Snapshot* prev_;
  mutable std::unordered_map<std::string, Peers> map_;
};

// Counter growth; a peer removed and re-added (or a reloaded module) starts
// from zero again: then its current value is the growth.
std::uint64_t Grown(std::uint64_t now, std::uint64_t before) {
  return now >= before ? now - before : now;
}

}  // namespace

// ---------------------------------------------------------------------------
// Subjects and ok.

std::vector<Subject> WireguardSubjects(const Snapshot& s) {
  std::vector<Subject> out;
  std::size_t n = 0;
  for (const auto& w : s.wireguard) n += 1 + w.peers.size();
  out.reserve(n);
  for (const auto& w : s.wireguard) {
    out.push_back(InterfaceSubject(w));
    for (const auto& p : w.peers) out.push_back(PeerSubject(w, p));
  }
  return out;
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

Finding WireguardOk(const Snapshot& s, const WireguardLookup& lookup, const Subject& subject) {
  Finding f{.id = "wg.ok", .severity = Severity::kOk, .weight = 0};
  f.message = "nothing points at a fault";
  const WgInterface* w = lookup.FindInterface(subject.interface);
  if (!w) return f;
  if (subject.kind == SubjectKind::kWgInterface) {
    if (const Interface* i = s.FindInterface(w->name))
      f.evidence.push_back({fmt::format("{} state", w->name),
                            fmt::format("admin {}, MTU {}", i->admin_up ? "up" : "down", i->mtu),
                            "admin up"});
    f.evidence.push_back({"listen port", std::to_string(w->listen_port), "—"});
    f.message =
        fmt::format("{} is up with {} peers; nothing points at a fault", w->name, w->peers.size());
    return f;
  }
  const WgPeer* p = lookup.FindPeer(w->name, subject.peer);
  if (!p) return f;
  // Built by hand rather than with fmt: this runs for every healthy peer.
  auto age = HandshakeAge(s, *p);
  std::string age_text = age ? FormatAge(*age) : std::string();
  std::string traffic = FormatBytes(p->rx_bytes);
  traffic += " / ";
  traffic += FormatBytes(p->tx_bytes);
  f.evidence.reserve(3);
  f.evidence.push_back({"last handshake", age ? age_text + " ago" : "never",
                        "under 180 s while traffic flows"});
  f.evidence.push_back({"received / sent", std::move(traffic), "—"});
  f.evidence.push_back({"endpoint", p->endpoint.empty() ? "none" : p->endpoint, "—"});
  if (age && *age <= kRejectAfterTime)
    f.message = "handshake " + age_text + " ago; nothing points at a fault";
  else if (age)
    f.message = "idle: last handshake " + age_text +
                " ago, normal without keepalive when nothing is sent";
  else
    f.message = "no handshake yet and nothing sent: idle";
  return f;
}

// ---------------------------------------------------------------------------
// The checks.

std::vector<Finding> CheckWgModuleMissing(const Snapshot& s, const Snapshot*) {
  const SourceStatus& src = s.Source(kSourceWireguard);
  if (src.state != SourceState::kUnavailable) return {};
  if (src.reason.find("module not loaded") == std::string::npos) return {};
  Finding f{.id = "wg.module.missing", .subject = HostSubject(s), .weight = 95};
  f.evidence = {
      {"generic netlink family \"wireguard\"", "absent (ENOENT)", "registered by wireguard.ko"}};
  // A "wg*" interface that is not of kind wireguard is a userspace
  // implementation (wireguard-go: a tun device) or a leftover name.
  std::vector<std::string> lookalikes;
  for (const auto& i : s.interfaces)
    if (i.name.rfind("wg", 0) == 0 && i.kind != "wireguard") lookalikes.push_back(i.name);
  if (!lookalikes.empty()) {
    f.severity = Severity::kWarning;
    f.message = fmt::format(
        "the WireGuard kernel module is not loaded, yet {} exists: a userspace "
        "WireGuard (wireguard-go), which this tool cannot read",
        fmt::join(lookalikes, ", "));
    f.evidence.push_back(
        {"wg* interfaces", fmt::format("{}", fmt::join(lookalikes, ", ")), "kind wireguard"});
  } else {
    f.severity = Severity::kInfo;
    f.message = "the WireGuard kernel module is not loaded: there is no WireGuard interface here";
  }
  f.remedy =
      "If WireGuard should run here: `modprobe wireguard` (VyOS loads it when an `interfaces "
      "wireguard` entry is committed); a userspace implementation answers `wg show` through "
      "/var/run/wireguard/IFNAME.sock. Verify: `lsmod | grep wireguard`; `wg show`";
  return {f};
}

std::vector<Finding> CheckWgInterfaceDown(const Snapshot& s, const Snapshot*) {
  std::vector<Finding> out;
  for (const auto& w : s.wireguard) {
    if (!AdminDown(s, w)) continue;
    const Interface* i = s.FindInterface(w.name);
    std::string remedy = fmt::format(
        "Bring it up: VyOS `delete interfaces wireguard {0} disable`; Linux `ip link set dev {0} "
        "up`. Verify: {1}",
        w.name, Verify(w));
    Evidence state{
        fmt::format("{} state", w.name),
        fmt::format("admin down, operstate {}", i->operstate.empty() ? "?" : i->operstate),
        "admin up"};
    out.push_back({.id = "wg.interface.down",
                   .severity = Severity::kCritical,
                   .subject = InterfaceSubject(w),
                   .message = fmt::format("{} is administratively down: none of its {} peers can "
                                          "pass traffic",
                                          w.name, w.peers.size()),
                   .evidence = {state},
                   .remedy = remedy,
                   .weight = 90});
    for (const auto& p : w.peers)
      out.push_back({.id = "wg.interface.down",
                     .severity = Severity::kCritical,
                     .subject = PeerSubject(w, p),
                     .message = fmt::format("{} is administratively down", w.name),
                     .evidence = {state},
                     .remedy = remedy,
                     .weight = 90});
  }
  return out;
}

std::vector<Finding> CheckWgHandshakeNever(const Snapshot& s, const Snapshot*) {
  std::vector<Finding> out;
  for (const auto& w : s.wireguard) {
    if (AdminDown(s, w)) continue;
    for (const auto& p : w.peers) {
      // tx_bytes counts handshake initiations too (148 B each): bytes sent
      // and no handshake means initiations that get no answer.
      if (p.last_handshake != 0 || p.tx_bytes == 0) continue;
      Finding f{.id = "wg.handshake.never",
                .severity = Severity::kCritical,
                .subject = PeerSubject(w, p),
                .weight = 75};
      f.message = fmt::format(
          "no handshake has ever completed with peer {}{} although {} were "
          "sent: the peer does not answer",
          Label(p), p.endpoint.empty() ? "" : " at " + p.endpoint, FormatBytes(p.tx_bytes));
      f.evidence = {{"last handshake", "never", "within 180 s (REJECT_AFTER_TIME)"},
                    {"sent / received",
                     fmt::format("{} / {}", FormatBytes(p.tx_bytes), FormatBytes(p.rx_bytes)),
                     "both growing"},
                    {"endpoint", p.endpoint.empty() ? "none" : p.endpoint, "reachable over UDP"}};
      f.remedy = fmt::format(
          "Check in this order: the peer's configuration has this router's public key {0} (and "
          "ours has its key); the endpoint's UDP port answers and firewalls on both sides pass it "
          "(`tcpdump -ni any udp port {1}`: initiations of 148 bytes leave, responses of 92 should "
          "return); the preshared key, if any, is the same on both sides. Verify: {2}, `wg show "
          "{3} "
          "latest-handshakes`",
          w.public_key.empty() ? "(see `wg show`)" : w.public_key,
          p.endpoint.empty() ? "PORT" : p.endpoint.substr(p.endpoint.rfind(':') + 1), Verify(w),
          w.name);
      out.push_back(std::move(f));
    }
  }
  return out;
}

// "Sending", for a stale handshake, is one of:
//  - tx_bytes grew since the previous sample (data, or initiations that get
//    no answer: both mean traffic was attempted), or
//  - persistent keepalive is on: the peer is meant to stay up, and keepalives
//    keep a working session's handshake younger than REJECT_AFTER_TIME.
// A peer with neither is idle: WireGuard handshakes only when there is
// something to send, so an old handshake is normal there (FACTS.md), and
// with a single sample and no keepalive we cannot tell idle from failing:
// no finding. last_handshake == 0 belongs to wg.handshake.never.
std::vector<Finding> CheckWgHandshakeStale(const Snapshot& s, const Snapshot* prev) {
  std::vector<Finding> out;
  PreviousPeers before(prev);
  for (const auto& w : s.wireguard) {
    if (AdminDown(s, w)) continue;
    for (const auto& p : w.peers) {
      auto age = HandshakeAge(s, p);
      if (!age || *age <= kRejectAfterTime) continue;
      const WgPeer* b = before.Find(w, p);
      std::uint64_t sent = b ? Grown(p.tx_bytes, b->tx_bytes) : 0;
      std::string why;
      if (b && sent > 0)
        why = fmt::format("{} were sent in the last {} s", FormatBytes(sent),
                          WindowSeconds(s, *prev));
      else if (p.persistent_keepalive > 0)
        why = fmt::format("persistent keepalive ({} s) keeps sending", p.persistent_keepalive);
      else
        continue;
      Finding f{.id = "wg.handshake.stale",
                .severity = Severity::kCritical,
                .subject = PeerSubject(w, p),
                .weight = 65};
      f.message = fmt::format(
          "last handshake with peer {} was {} ago, past the 180 s a session "
          "lives, while {}: no working session",
          Label(p), FormatAge(*age), why);
      f.evidence = {
          {"last handshake", FormatAge(*age) + " ago", "under 180 s (REJECT_AFTER_TIME)"},
          {"sending", why, "answered by a handshake within 5 s (REKEY_TIMEOUT)"},
          {"endpoint", p.endpoint.empty() ? "none" : p.endpoint, "the peer's current address"}};
      f.remedy = fmt::format(
          "The peer stopped answering. Its address may have changed (an endpoint given as a DNS "
          "name is resolved only once; re-resolve it: Linux `wg set {0} peer {1} endpoint "
          "HOST:PORT`, VyOS re-commit `{2} address`), its UDP port may now be filtered, or it was "
          "rebuilt with a new key. Verify: `wg show {0} latest-handshakes`; {3}",
          w.name, p.public_key, VyosPeer(w, p), Verify(w));
      out.push_back(std::move(f));
    }
  }
  return out;
}

// One-way, from two samples, on a peer whose session is alive (handshake
// under 180 s; otherwise wg.handshake.* speaks). What the other side may
// legitimately send back without data is bounded: a handshake (92 + 148 B)
// and a passive keepalive (32 B) at most every KEEPALIVE_TIMEOUT. So:
//  - out-only: sent more than that bound plus 1 KiB, received at most the
//    bound. Received nothing at all over 15 s or more is critical: the peer
//    answers any data with a keepalive within 10 s, so our packets do not
//    reach it. Received only keepalives is a warning: the peer gets our
//    packets but sends nothing back (its routes or AllowedIPs for our
//    networks — or a flow that is one-way by nature, like syslog).
//  - in-only, the mirror: the peer sends, we answer nothing into the tunnel
//    (our routes, rp_filter, or this peer's AllowedIPs reject the sources).
std::vector<Finding> CheckWgTrafficOneWay(const Snapshot& s, const Snapshot* prev) {
  if (!prev) return {};
  std::vector<Finding> out;
  PreviousPeers before(prev);
  const std::int64_t window = WindowSeconds(s, *prev);
  const std::uint64_t control =
      kResponse + kInitiation +
      kKeepalive * static_cast<std::uint64_t>(window / kKeepaliveTimeout + 1);
  constexpr std::uint64_t kData = 1024;
  for (const auto& w : s.wireguard) {
    if (AdminDown(s, w)) continue;
    for (const auto& p : w.peers) {
      auto age = HandshakeAge(s, p);
      if (!age || *age > kRejectAfterTime) continue;
      const WgPeer* b = before.Find(w, p);
      if (!b) continue;
      std::uint64_t tx = Grown(p.tx_bytes, b->tx_bytes), rx = Grown(p.rx_bytes, b->rx_bytes);
      bool out_only = tx >= control + kData && rx <= control;
      bool in_only = rx >= control + kData && tx <= control;
      if (!out_only && !in_only) continue;
      Finding f{.id = "wg.traffic.one-way", .subject = PeerSubject(w, p)};
      f.evidence = {
          {fmt::format("sent / received in the last {} s", window),
           fmt::format("{} / {}", FormatBytes(tx), FormatBytes(rx)), "both carrying data"},
          {"last handshake", FormatAge(*age) + " ago", "under 180 s"}};
      if (out_only) {
        bool silent = rx == 0 && window >= 15;
        f.severity = silent ? Severity::kCritical : Severity::kWarning;
        f.weight = silent ? 50 : 45;
        f.message = silent ? fmt::format(
                                 "sent {} to peer {} in {} s and received nothing back, not "
                                 "even a keepalive: our packets do not reach it",
                                 FormatBytes(tx), Label(p), window)
                           : fmt::format(
                                 "sent {} to peer {} in {} s and received only {} of "
                                 "keepalives/handshakes: it sends no data back",
                                 FormatBytes(tx), Label(p), window, FormatBytes(rx));
        f.remedy = fmt::format(
            "On the peer: its AllowedIPs for this router must include our source networks, and "
            "its routes must send the replies into its tunnel (`wg show` and `ip route get "
            "OUR_HOST` there). Nothing at all back: an endpoint that changed or a firewall between "
            "(`tcpdump -ni any udp port {0}`). Verify: `wg show {1} transfer`, twice; {2}",
            p.endpoint.empty() ? "PORT" : p.endpoint.substr(p.endpoint.rfind(':') + 1), w.name,
            Verify(w));
      } else {
        f.severity = Severity::kWarning;
        f.weight = 45;
        f.message = fmt::format(
            "received {} from peer {} in {} s and sent back only {}: replies "
            "do not go back into {}",
            FormatBytes(rx), Label(p), window, FormatBytes(tx), w.name);
        f.remedy = fmt::format(
            "Our replies leave another way or are dropped: the peer's source networks need a "
            "route into {0} (`ip route get SOURCE_HOST` must name {0}), a strict rp_filter on {0} "
            "drops them (see net.rp-filter.strict), or this peer's AllowedIPs lack the sources "
            "(`wg show {0} allowed-ips`). Verify: `wg show {0} transfer`, twice; {1}",
            w.name, Verify(w));
      }
      out.push_back(std::move(f));
    }
  }
  return out;
}

std::vector<Finding> CheckWgEndpointMissing(const Snapshot& s, const Snapshot*) {
  std::vector<Finding> out;
  for (const auto& w : s.wireguard) {
    if (AdminDown(s, w)) continue;
    for (const auto& p : w.peers) {
      if (!p.endpoint.empty() || p.last_handshake != 0) continue;
      Finding f{.id = "wg.endpoint.missing",
                .severity = Severity::kWarning,
                .subject = PeerSubject(w, p),
                .weight = 60};
      f.message = fmt::format(
          "peer {} has no endpoint and has never completed a handshake: only "
          "the peer can start the tunnel, and it has not",
          Label(p));
      f.evidence = {{"endpoint", "none", "ADDR:PORT, or the peer initiating to us"},
                    {"last handshake", "never", "—"}};
      f.remedy = fmt::format(
          "If this router should initiate, give the peer an endpoint: VyOS `set {0} address ADDR` "
          "and `set {0} port PORT`; Linux `wg set {1} peer {2} endpoint ADDR:PORT`. If the peer "
          "initiates (a roaming client), it needs this router's address and UDP port {3} must be "
          "reachable. Verify: `wg show {1} endpoints`",
          VyosPeer(w, p), w.name, p.public_key, w.listen_port);
      out.push_back(std::move(f));
    }
  }
  return out;
}

// Behind NAT, the mapping for our UDP flow expires after an idle while (often
// 30 s to a few minutes); without persistent keepalive the peer then cannot
// reach us until we send first. We call it "behind NAT" when the route to a
// public endpoint leaves an interface that has only private (RFC 1918) or
// CGNAT (RFC 6598) addresses of that family: the source then must be
// translated on the way. IPv6 endpoints are skipped (no NAT in practice).
std::vector<Finding> CheckWgKeepaliveNat(const Snapshot& s, const Snapshot*) {
  if (!KernelOk(s)) return {};
  SharedRoutes routes(s);
  // Interfaces with IPv4 addresses, all of them private: name -> one of them.
  std::unordered_map<std::string, std::string> private_only;
  std::unordered_map<std::string, bool> has_public;
  for (const auto& a : s.addresses) {
    if (a.family != 4) continue;
    auto p = ParseAddress(a.address);
    if (!p) continue;
    if (IsPrivateAddress(*p))
      private_only.emplace(a.ifname, a.address);
    else
      has_public[a.ifname] = true;
  }
  std::vector<Finding> out;
  for (const auto& w : s.wireguard) {
    if (AdminDown(s, w)) continue;
    for (const auto& p : w.peers) {
      if (p.persistent_keepalive != 0) continue;
      auto ep = EndpointAddress(p.endpoint);
      if (!ep || ep->family != 4 || IsPrivateAddress(*ep)) continue;
      if (ep->bytes[0] == 127 || (ep->bytes[0] == 169 && ep->bytes[1] == 254)) continue;
      const Route* r = routes->Best(*ep);
      if (!r || r->dev.empty() || r->dev == w.name) continue;
      auto it = private_only.find(r->dev);
      if (it == private_only.end() || has_public.count(r->dev)) continue;
      Finding f{.id = "wg.keepalive.nat",
                .severity = Severity::kWarning,
                .subject = PeerSubject(w, p),
                .weight = 35};
      f.message = fmt::format(
          "this router reaches peer {} ({}) from the private address {} on {}, "
          "through NAT, without persistent keepalive: when idle the NAT "
          "mapping expires and the peer can no longer reach us",
          Label(p), p.endpoint, it->second, r->dev);
      f.evidence = {{"persistent keepalive", "off", "25 s behind NAT"},
                    {fmt::format("addresses on {} (route to {})", r->dev, ep->Address()),
                     fmt::format("{} (private)", it->second), "a public address, or keepalive on"}};
      f.remedy = fmt::format(
          "VyOS `set {0} persistent-keepalive 25`; Linux `wg set {1} peer {2} "
          "persistent-keepalive 25`. Verify: `wg show {1} persistent-keepalive`",
          VyosPeer(w, p), w.name, p.public_key);
      out.push_back(std::move(f));
    }
  }
  return out;
}

// The kernel keeps AllowedIPs in one trie per interface and a prefix
// belongs to exactly one peer: setting it on a second peer moves it
// (allowedips.c, wg_allowedips_insert_v4). A kernel dump therefore never
// shows an exact duplicate; one in a snapshot comes from configuration or a
// merged dump, and means one of the peers does not really hold the prefix.
// Containment is legal (longest prefix wins) but hands part of the broader
// peer's range to another peer, in both directions: traffic to it goes to
// the narrower peer, and packets from it arriving from the broader peer are
// dropped. A /0 is a catch-all by design: info.
std::vector<Finding> CheckWgAllowedIpsOverlap(const Snapshot& s, const Snapshot*) {
  constexpr int kCoveringCap = 16;  // values looked at per covering node
  constexpr std::size_t kExamples = 3;
  std::vector<Finding> out;
  for (const auto& w : s.wireguard) {
    struct Entry {
      std::uint32_t peer;
      Prefix prefix;
    };
    std::vector<Entry> entries;
    PrefixTrie trie;
    std::size_t n = 0;
    for (const auto& p : w.peers) n += p.allowed_ips.size();
    entries.reserve(n);
    trie.Reserve(n);
    for (std::uint32_t i = 0; i < w.peers.size(); ++i)
      for (const auto& a : w.peers[i].allowed_ips)
        if (auto p = ParsePrefix(a)) {
          trie.Insert(*p, static_cast<std::uint32_t>(entries.size()));
          entries.push_back({i, p->Network()});
        }
    struct Record {
      std::vector<std::string> examples;
      std::size_t count = 0;
      bool catch_all_only = true;
    };
    std::unordered_map<std::uint32_t, Record> dups, contains;
    for (const auto& e : entries) {
      int seen = 0;
      trie.ForEachCovering(e.prefix, [&](std::uint32_t v, int len) {
        if (++seen > kCoveringCap) return false;
        const Entry& o = entries[v];
        if (o.peer == e.peer) return true;
        if (len == e.prefix.len) {
          Record& r = dups[e.peer];
          if (r.examples.size() < kExamples)
            r.examples.push_back(
                fmt::format("{} also on peer {}", e.prefix.ToString(), Label(w.peers[o.peer])));
          ++r.count;
        } else {
          Record& r = contains[o.peer];
          if (r.examples.size() < kExamples)
            r.examples.push_back(fmt::format("{} contains {} of peer {}", o.prefix.ToString(),
                                             e.prefix.ToString(), Label(w.peers[e.peer])));
          ++r.count;
          if (len != 0) r.catch_all_only = false;
        }
        return true;
      });
    }
    // Findings in peer order, so that output is stable.
    for (std::uint32_t i = 0; i < w.peers.size(); ++i) {
      const WgPeer& p = w.peers[i];
      std::string more;
      if (auto it = dups.find(i); it != dups.end()) {
        const Record& r = it->second;
        more = r.count > 1 ? fmt::format(" (and {} more)", r.count - 1) : "";
        Finding f{.id = "wg.allowedips.overlap",
                  .severity = Severity::kCritical,
                  .subject = PeerSubject(w, p),
                  .weight = 80};
        f.message = fmt::format(
            "AllowedIPs {}{}: WireGuard keeps each prefix on one peer only, so "
            "one of them silently loses it",
            r.examples.front(), more);
        for (const auto& ex : r.examples)
          f.evidence.push_back({"AllowedIPs", ex, "on one peer only"});
        f.remedy = fmt::format(
            "Give each prefix to one peer: VyOS `delete {0} allowed-ips PREFIX` "
            "on the wrong one; Linux `wg set {1} peer KEY allowed-ips LIST` "
            "(replaces the list). Verify: `wg show {1} allowed-ips`",
            VyosPeer(w, p), w.name);
        out.push_back(std::move(f));
      }
      if (auto it = contains.find(i); it != contains.end()) {
        const Record& r = it->second;
        more = r.count > 1 ? fmt::format(" (and {} more)", r.count - 1) : "";
        Finding f{.id = "wg.allowedips.overlap", .subject = PeerSubject(w, p)};
        f.severity = r.catch_all_only ? Severity::kInfo : Severity::kWarning;
        f.weight = r.catch_all_only ? 10 : 45;
        f.message = fmt::format(
            "AllowedIPs {}{}: that part belongs to the other peer (longest "
            "prefix wins), both for traffic to it and for packets from it",
            r.examples.front(), more);
        for (const auto& ex : r.examples)
          f.evidence.push_back({"AllowedIPs", ex, "disjoint unless intended"});
        f.remedy = fmt::format(
            "If unintended, narrow this peer's AllowedIPs: VyOS `set {0} "
            "allowed-ips ...`; Linux `wg set {1} peer {2} allowed-ips ...`. "
            "Verify: `wg show {1} allowed-ips`",
            VyosPeer(w, p), w.name, p.public_key);
        out.push_back(std::move(f));
      }
    }
  }
  return out;
}

// An AllowedIPs prefix is routed when some route through the WireGuard
// interface, in any table, overlaps it (wg-quick's table 51820 and policy
// routing included). A route for part of the prefix counts: we flag only
// prefixes nothing at all sends into the interface.
std::vector<Finding> CheckWgAllowedIpsUnrouted(const Snapshot& s, const Snapshot*) {
  if (!KernelOk(s)) return {};
  SharedRoutes routes(s);
  constexpr std::size_t kExamples = 5;
  std::vector<Finding> out;
  for (const auto& w : s.wireguard) {
    if (AdminDown(s, w)) continue;  // its routes went with it
    const PrefixTrie& into = routes->RoutesVia(w.name);
    for (const auto& p : w.peers) {
      std::vector<Prefix> unrouted;
      for (const auto& a : p.allowed_ips) {
        auto pre = ParsePrefix(a);
        if (pre && !into.AnyOverlapping(pre->Network())) unrouted.push_back(pre->Network());
      }
      if (unrouted.empty()) continue;
      Finding f{.id = "wg.allowedips.unrouted",
                .severity = Severity::kCritical,
                .subject = PeerSubject(w, p),
                .weight = 60};
      std::string more =
          unrouted.size() > 1 ? fmt::format(" (and {} more)", unrouted.size() - 1) : "";
      f.message = fmt::format(
          "{}{} in peer {}'s AllowedIPs has no route into {} in any table: "
          "traffic to it leaves another way",
          unrouted.front().ToString(), more, Label(p), w.name);
      for (std::size_t i = 0; i < unrouted.size() && i < kExamples; ++i) {
        const Route* r = routes->Best(unrouted[i]);
        f.evidence.push_back(
            {fmt::format("route to {}", unrouted[i].ToString()),
             r ? fmt::format("via {} ({})", r->dev.empty() ? r->type : r->dev, r->dst) : "none",
             fmt::format("dev {}", w.name)});
      }
      const Prefix& first = unrouted.front();
      f.remedy = fmt::format(
          "Route it into the tunnel: VyOS `set protocols static route{0} {1} "
          "interface {2}`; Linux `ip route add {1} dev {2}` (wg-quick adds these "
          "from AllowedIPs, VyOS and systemd-networkd do not). Verify: `ip route "
          "get {3}` names {2}; VyOS `show ip{0} route {1}`",
          first.family == 6 ? "6" : "", first.ToString(), w.name, SampleHost(first));
      out.push_back(std::move(f));
    }
  }
  return out;
}

// WireGuard adds 60 bytes over IPv4 (20 IP + 8 UDP + 32) and 80 over IPv6;
// wg-quick sets MTU = underlay - 80 to fit both. Above underlay - overhead,
// packets are fragmented or lost: warning. Between the two: fits the IPv4
// endpoints of today only: info.
std::vector<Finding> CheckWgMtu(const Snapshot& s, const Snapshot*) {
  if (!KernelOk(s)) return {};
  SharedRoutes routes(s);
  std::vector<Finding> out;
  for (const auto& w : s.wireguard) {
    const Interface* wi = s.FindInterface(w.name);
    if (!wi || wi->mtu == 0) continue;
    // The tightest path among the peers that have an endpoint.
    const WgPeer* worst = nullptr;
    std::uint32_t worst_allowed = 0, worst_underlay = 0;
    std::string worst_dev;
    bool worst_v6 = false;
    for (const auto& p : w.peers) {
      auto ep = EndpointAddress(p.endpoint);
      if (!ep) continue;
      const Route* r = routes->Best(*ep);
      if (!r || r->dev.empty() || r->dev == w.name) continue;
      const Interface* under = s.FindInterface(r->dev);
      std::uint32_t underlay = r->mtu && *r->mtu ? *r->mtu : under ? under->mtu : 0;
      if (underlay == 0) continue;
      std::uint32_t overhead = ep->family == 6 ? kOverheadV6 : kOverheadV4;
      std::uint32_t allowed = underlay > overhead ? underlay - overhead : 0;
      if (!worst || allowed < worst_allowed) {
        worst = &p, worst_allowed = allowed, worst_underlay = underlay, worst_dev = r->dev;
        worst_v6 = ep->family == 6;
      }
    }
    if (!worst || worst_underlay <= kOverheadV6) continue;
    std::uint32_t recommended = worst_underlay - kOverheadV6;
    if (wi->mtu <= recommended) continue;
    Finding f{.id = "wg.mtu", .subject = InterfaceSubject(w)};
    if (wi->mtu > worst_allowed) {
      f.severity = Severity::kWarning;
      f.weight = 40;
      f.message = fmt::format(
          "{} MTU {} is larger than the underlay allows: peer {}'s endpoint is "
          "reached via {} (MTU {}) and WireGuard adds {} bytes; use at most {}",
          w.name, wi->mtu, Label(*worst), worst_dev, worst_underlay,
          worst_v6 ? kOverheadV6 : kOverheadV4, recommended);
    } else {
      f.severity = Severity::kInfo;
      f.weight = 10;
      f.message = fmt::format(
          "{} MTU {} fits IPv4 endpoints via {} (MTU {}) but not IPv6 ones; "
          "wg-quick uses underlay - 80 = {}",
          w.name, wi->mtu, worst_dev, worst_underlay, recommended);
    }
    f.evidence = {{fmt::format("{} MTU", w.name), std::to_string(wi->mtu),
                   fmt::format("<= {} ({} - 80)", recommended, worst_underlay)},
                  {fmt::format("underlay toward {}", worst->endpoint),
                   fmt::format("{} MTU {}", worst_dev, worst_underlay), "—"}};
    f.remedy = fmt::format(
        "VyOS `set interfaces wireguard {0} mtu {1}`; Linux `ip link set dev {0} "
        "mtu {1}`. Verify: `ip link show {0}`; `ping -M do -s {2} "
        "PEER_TUNNEL_ADDRESS` passes",
        w.name, recommended, recommended - 28);
    out.push_back(std::move(f));
  }
  return out;
}

// Strict rp_filter (1) drops a packet arriving on an interface when the
// route back to its source leaves through another one. On a tunnel, the
// sources are the remote networks: a WireGuard peer's AllowedIPs, or an
// IPsec CHILD SA's remote selectors (matched to the XFRM interface by
// if_id). "Back via the tunnel" means: some table's best route for the
// prefix uses it (we cannot see ip rules, so any table will do). /0
// prefixes are skipped: "accept any source" says nothing about which
// sources really arrive. IPReversePathFilter rising corroborates.
std::vector<Finding> CheckNetRpFilterStrict(const Snapshot& s, const Snapshot* prev) {
  if (!KernelOk(s)) return {};
  SharedRoutes routes(s);
  auto drops = CounterDelta(s, prev, "IPReversePathFilter");
  auto drops_total = CounterValue(s, "IPReversePathFilter");
  constexpr std::size_t kExamples = 3;

  struct Asym {
    std::vector<std::string> examples;
    std::size_t count = 0;
  };
  auto check = [&](const std::string& tunnel, const Prefix& p, Asym& a) {
    if (p.len == 0) return;
    if (routes->SomeTableRoutesVia(p, tunnel)) return;
    const Route* r = routes->Best(p);
    if (a.examples.size() < kExamples)
      a.examples.push_back(
          fmt::format("{} returns {}", p.ToString(),
                      r ? "via " + (r->dev.empty() ? r->type : r->dev) : "nowhere (no route)"));
    ++a.count;
  };
  auto finding = [&](const Subject& subject, const Interface& t, const Asym& a) {
    Finding f{.id = "net.rp-filter.strict", .subject = subject};
    bool rising = drops && *drops > 0;
    f.severity = rising ? Severity::kCritical : Severity::kWarning;
    f.weight = rising ? 70 : 45;
    std::string more = a.count > 1 ? fmt::format(" (and {} more)", a.count - 1) : "";
    f.message = fmt::format(
        "strict reverse-path filtering on {} drops packets from the tunnel's "
        "remote networks whose route back leaves another way: {}{}",
        t.name, a.examples.front(), more);
    f.evidence.push_back({fmt::format("rp_filter on {}", t.name), "1 (strict)",
                          "2 (loose) or 0 where paths are asymmetric"});
    for (const auto& ex : a.examples)
      f.evidence.push_back({"route back to the source", ex, fmt::format("via {}", t.name)});
    if (drops)
      f.evidence.push_back({"IPReversePathFilter",
                            fmt::format("+{} since the previous sample", *drops), "not rising"});
    else if (drops_total)
      f.evidence.push_back(
          {"IPReversePathFilter", fmt::format("{} since boot", *drops_total), "—"});
    std::string vyos_type = t.kind == "wireguard" ? "wireguard" : "vti";
    f.remedy = fmt::format(
        "Route the remote networks into {0} (VyOS `set protocols static route PREFIX interface "
        "{0}`; Linux `ip route add PREFIX dev {0}`), or make the filter loose: VyOS `set "
        "interfaces "
        "{1} {0} ip source-validation loose`; Linux `sysctl -w net.ipv4.conf.{0}.rp_filter=2` (the "
        "kernel applies the higher of `all` and {0}: check net.ipv4.conf.all.rp_filter too). "
        "Verify: `nstat -az TcpExtIPReversePathFilter` stops rising",
        t.name, vyos_type);
    return f;
  };

  std::vector<Finding> out;
  for (const auto& w : s.wireguard) {
    const Interface* t = s.FindInterface(w.name);
    if (!t || !t->rp_filter || *t->rp_filter != 1 || !t->admin_up) continue;
    Asym a;
    for (const auto& p : w.peers)
      for (const auto& ip : p.allowed_ips)
        if (auto pre = ParsePrefix(ip); pre && pre->family == 4) check(w.name, pre->Network(), a);
    if (a.count > 0) out.push_back(finding(InterfaceSubject(w), *t, a));
  }
  // IPsec: XFRM interfaces with a known if_id, against the CHILD SAs that
  // use it on the way in.
  for (const auto& t : s.interfaces) {
    if ((t.kind != "xfrm" && t.kind != "vti") || !t.if_id || !t.rp_filter || *t.rp_filter != 1 ||
        !t.admin_up)
      continue;
    for (const auto& ike : s.ike_sas) {
      Asym a;
      for (const auto& c : ike.child_sas) {
        if (c.state != "INSTALLED" || !c.if_id_in || *c.if_id_in != *t.if_id) continue;
        for (const auto& ts : c.remote_ts) {
          auto bracket = ts.find('[');
          auto pre = ParsePrefix(bracket == std::string::npos ? ts : ts.substr(0, bracket));
          if (pre && pre->family == 4) check(t.name, pre->Network(), a);
        }
      }
      if (a.count > 0) out.push_back(finding(ConnectionSubject(s, ike.name), t, a));
    }
  }
  return out;
}

namespace {

constexpr Rule kWireguardRules[] = {
    {"wg.module.missing", Family::kWireguard, "the WireGuard kernel module is not loaded",
     CheckWgModuleMissing},
    {"wg.interface.down", Family::kWireguard, "a WireGuard interface is administratively down",
     CheckWgInterfaceDown},
    {"wg.handshake.never", Family::kWireguard, "bytes sent to a peer, no handshake ever",
     CheckWgHandshakeNever},
    {"wg.handshake.stale", Family::kWireguard, "handshake older than 180 s while sending",
     CheckWgHandshakeStale},
    {"wg.traffic.one-way", Family::kWireguard, "a live peer's data flows in one direction only",
     CheckWgTrafficOneWay},
    {"wg.endpoint.missing", Family::kWireguard, "no endpoint and never a handshake",
     CheckWgEndpointMissing},
    {"wg.keepalive.nat", Family::kWireguard, "behind NAT without persistent keepalive",
     CheckWgKeepaliveNat},
    {"wg.allowedips.overlap", Family::kWireguard,
     "the same or nested AllowedIPs on two peers of one interface", CheckWgAllowedIpsOverlap},
    {"wg.allowedips.unrouted", Family::kWireguard,
     "an AllowedIPs prefix with no route into the "
     "interface",
     CheckWgAllowedIpsUnrouted},
    {"wg.mtu", Family::kWireguard, "tunnel MTU larger than the underlay allows", CheckWgMtu},
    {"net.rp-filter.strict", Family::kNet, "strict rp_filter on a tunnel with asymmetric routes",
     CheckNetRpFilterStrict},
};

}  // namespace

std::span<const Rule> WireguardRules() { return kWireguardRules; }

}  // namespace edgediag::plugin

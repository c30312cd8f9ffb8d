// The wg.* catalogue, and net.rp-filter.strict, with the rules on handshakes,
// traffic, endpoints and keepalives; the rules on AllowedIPs, routes, MTU and
// rp_filter are in rules_wg_routes.cc. Ids are API: add, never rename.
// Timers and sizes: wg_model.h.
//
// Every rule here is linear in the number of peers and AllowedIPs: lookups
// go through hash maps and PrefixTrie, never peer against peer.
#include <fmt/format.h>

#include <algorithm>
#include <unordered_map>

#include "plugin/facts.h"
#include "plugin/rules.h"
#include "plugin/vpn_common.h"
#include "plugin/wg_model.h"
#include "plugin/wg_rules.h"

namespace edgediag::plugin {
namespace {

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


Finding WireguardOk(const Facts& facts, const Subject& subject) {
  const Snapshot& s = facts.snapshot();
  const WireguardLookup& lookup = facts.wireguard();
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
  else if (age && p->persistent_keepalive > 0)
    f.message = "handshake " + age_text + " ago; the next keepalive (every " +
                std::to_string(p->persistent_keepalive) + " s) renews it";
  else if (age)
    f.message = "idle: last handshake " + age_text +
                " ago, normal without keepalive when nothing is sent";
  else
    f.message = "no handshake yet and nothing sent: idle";
  return f;
}

// ---------------------------------------------------------------------------
// The checks.

std::vector<Finding> CheckWgModuleMissing(const Facts&, const Snapshot& s, const Snapshot*) {
  const SourceStatus& src = s.Source(kSourceWireguard);
  if (src.state != SourceState::kUnavailable) return {};
  if (src.reason.find("module not loaded") == std::string::npos) return {};
  Finding f{.id = "wg.module.missing", .subject = HostSubject(s), .weight = 95};
  f.evidence = {
      {"generic netlink family \"wireguard\"", "absent (ENOENT)", "registered by wireguard.ko"}};
  // A "wg*" interface that is not of kind wireguard is a userspace
  // implementation (wireguard-go: a tun device) without its UAPI socket, or a
  // leftover name; the ones read over their UAPI socket are not missing.
  std::vector<std::string> lookalikes;
  for (const auto& i : s.interfaces)
    if (i.name.rfind("wg", 0) == 0 && i.kind != "wireguard" &&
        std::none_of(s.wireguard.begin(), s.wireguard.end(),
                     [&](const WgInterface& w) { return w.name == i.name; }))
      lookalikes.push_back(i.name);
  if (!lookalikes.empty()) {
    f.severity = Severity::kWarning;
    f.message = fmt::format(
        "the WireGuard kernel module is not loaded, yet {} exists: a userspace "
        "WireGuard (wireguard-go) without its UAPI socket in /var/run/wireguard, or a leftover",
        fmt::join(lookalikes, ", "));
    f.evidence.push_back(
        {"wg* interfaces", fmt::format("{}", fmt::join(lookalikes, ", ")), "kind wireguard"});
  } else if (!s.wireguard.empty()) {
    std::vector<std::string> names;
    for (const auto& w : s.wireguard) names.push_back(w.name);
    f.severity = Severity::kInfo;
    f.message = fmt::format(
        "the WireGuard kernel module is not loaded; {} {} userspace WireGuard, read through its "
        "UAPI socket",
        fmt::join(names, ", "), names.size() == 1 ? "is" : "are");
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

std::vector<Finding> CheckWgInterfaceDown(const Facts&, const Snapshot& s, const Snapshot*) {
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

std::vector<Finding> CheckWgHandshakeNever(const Facts&, const Snapshot& s, const Snapshot*) {
  std::vector<Finding> out;
  for (const auto& w : s.wireguard) {
    if (AdminDown(s, w)) continue;
    for (const auto& p : w.peers) {
      // tx_bytes counts handshake initiations too (148 B each): bytes sent
      // and no handshake means initiations that get no answer.
      // An operator's --expect-up peer with an endpoint is judged without
      // traffic: it should have been reached (without an endpoint,
      // wg.endpoint.missing says why it cannot be).
      bool marked = p.expect_up && !p.endpoint.empty();
      if (p.last_handshake != 0 || (p.tx_bytes == 0 && !marked)) continue;
      Finding f{.id = "wg.handshake.never",
                .severity = Severity::kCritical,
                .subject = PeerSubject(w, p),
                .weight = 75};
      f.message =
          p.tx_bytes == 0
              ? fmt::format(
                    "peer {} at {} is marked expected up (--expect-up) but no handshake has "
                    "ever completed, and nothing was sent to it: nothing routes traffic into "
                    "the tunnel, or the interface was just created",
                    Label(p), p.endpoint)
              : fmt::format(
                    "no handshake has ever completed with peer {}{} although {} were "
                    "sent: the peer does not answer",
                    Label(p), p.endpoint.empty() ? "" : " at " + p.endpoint,
                    FormatBytes(p.tx_bytes));
      f.evidence = {{"last handshake", "never",
                     fmt::format("within {} s (REJECT_AFTER_TIME)", kRejectAfterTime)},
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

// A stale handshake is judged only on a peer expected up (wg_model.h
// ExpectedUp) for a reason that makes it send:
//  - the operator marks it so (--expect-up),
//  - persistent keepalive is on: keepalives keep a working session's
//    handshake younger than StaleAfter (REKEY_AFTER_TIME + the interval +
//    REKEY_TIMEOUT, at least REJECT_AFTER_TIME), or
//  - tx_bytes grew since the previous sample (data, or initiations that get
//    no answer: both mean traffic was attempted).
// A peer with none of these is idle: WireGuard handshakes only when there is
// something to send, so an old handshake is normal there (FACTS.md), even
// with a configured endpoint; wg.peer.idle or wg.ok say so.
// last_handshake == 0 belongs to wg.handshake.never.
std::vector<Finding> CheckWgHandshakeStale(const Facts&, const Snapshot& s, const Snapshot* prev) {
  std::vector<Finding> out;
  PreviousPeers before(prev);
  const std::int64_t window = prev ? WindowSeconds(s, *prev) : 0;
  for (const auto& w : s.wireguard) {
    if (AdminDown(s, w)) continue;
    for (const auto& p : w.peers) {
      auto age = HandshakeAge(s, p);
      if (!age || *age <= kRejectAfterTime) continue;
      const WgPeer* b = before.Find(w, p);
      std::optional<std::uint64_t> sent;
      if (b) sent = Grown(p.tx_bytes, b->tx_bytes);
      ExpectUp expect = ExpectedUp(p, sent, window);
      if (expect.why == ExpectUp::Why::kNone || expect.why == ExpectUp::Why::kConfiguredEndpoint)
        continue;
      const std::int64_t limit = StaleAfter(p);
      if (*age <= limit) continue;
      const std::string& why = expect.reason;
      Finding f{.id = "wg.handshake.stale",
                .severity = Severity::kCritical,
                .subject = PeerSubject(w, p),
                .weight = 65};
      f.message = fmt::format(
          "last handshake with peer {} was {} ago, past the {} s a session "
          "lives, while {}: no working session",
          Label(p), FormatAge(*age), limit, why);
      f.evidence = {
          {"last handshake", FormatAge(*age) + " ago",
           limit == kRejectAfterTime
               ? fmt::format("under {} s (REJECT_AFTER_TIME)", limit)
               : fmt::format("under {} s (REKEY_AFTER_TIME + keepalive + REKEY_TIMEOUT)", limit)},
          {"expected up", why,
           fmt::format("answered by a handshake within {} s (REKEY_TIMEOUT)", kRekeyTimeout)},
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

// Offline peers nothing expects up: a hub's road warriors that are not
// connected (no endpoint, or no handshake since REJECT_AFTER_TIME and
// nothing sent). Normal, and said as such, at severity info.
std::vector<Finding> CheckWgPeerIdle(const Facts&, const Snapshot& s, const Snapshot* prev) {
  std::vector<Finding> out;
  PreviousPeers before(prev);
  const std::int64_t window = prev ? WindowSeconds(s, *prev) : 0;
  // A hub has thousands of these: each text is made in one allocation of
  // its size (Cat), not with fmt or operator+, and the constant ones once.
  const std::string live = fmt::format("under {} s for a live session", kRejectAfterTime);
  const std::string not_expected =
      "no: no persistent keepalive, no configured endpoint, nothing sent, not marked";
  std::size_t peers = 0;
  for (const auto& w : s.wireguard) peers += w.peers.size();
  out.reserve(peers);  // a hub of road warriors: one each, no regrowth
  for (const auto& w : s.wireguard) {
    if (AdminDown(s, w)) continue;
    for (const auto& p : w.peers) {
      const WgPeer* b = before.Find(w, p);
      std::optional<std::uint64_t> sent;
      if (b) sent = Grown(p.tx_bytes, b->tx_bytes);
      if (!Idle(s, p, ExpectedUp(p, sent, window))) continue;
      auto age = HandshakeAge(s, p);
      Finding f{.id = "wg.peer.idle",
                .severity = Severity::kInfo,
                .subject = PeerSubject(w, p),
                .weight = 5};
      std::string last = age ? FormatAge(*age) + " ago" : "never";
      const std::string label = Label(p);
      if (p.endpoint.empty()) {
        f.message = Cat({"idle: peer ", label, " has no endpoint and ",
                         age ? "no recent" : "never a",
                         " handshake: it has not connected, normal for a road warrior"});
      } else {
        f.message = Cat({"idle: last handshake with peer ", label, " ", last,
                         ", nothing sent to it since: offline, normal for a road warrior"});
      }
      std::string endpoint = p.endpoint.empty() ? std::string("none")
                             : w.config.empty() ? p.endpoint
                                                : Cat({p.endpoint, " (learned)"});
      f.evidence.reserve(3);
      f.evidence.push_back({"last handshake", std::move(last), live});
      f.evidence.push_back({"endpoint", std::move(endpoint), "—"});
      f.evidence.push_back({"expected up", not_expected, "—"});
      const std::string& id = p.name.empty() ? p.public_key : p.name;
      f.remedy = Cat({"Nothing to do for a road warrior. If this peer should always be up, say "
                      "so: `--expect-up ",
                      id, "` or `expect-up = ", id,
                      "` in /config/edgediag/edgediag.conf (or give it persistent keepalive): "
                      "then its silence is reported as a fault. Verify: `wg show ",
                      w.name, " latest-handshakes`"});
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
std::vector<Finding> CheckWgTrafficOneWay(const Facts&, const Snapshot& s, const Snapshot* prev) {
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

std::vector<Finding> CheckWgEndpointMissing(const Facts&, const Snapshot& s, const Snapshot*) {
  std::vector<Finding> out;
  for (const auto& w : s.wireguard) {
    if (AdminDown(s, w)) continue;
    for (const auto& p : w.peers) {
      if (!p.endpoint.empty() || p.last_handshake != 0) continue;
      // Without an endpoint and never a handshake, a peer nothing expects
      // up is a road warrior that has not connected: wg.peer.idle.
      ExpectUp expect = ExpectedUp(p, std::nullopt, 0);
      if (!expect.up()) continue;
      Finding f{.id = "wg.endpoint.missing",
                .severity = Severity::kWarning,
                .subject = PeerSubject(w, p),
                .weight = 60};
      f.message = fmt::format(
          "peer {} has no endpoint and has never completed a handshake: only "
          "the peer can start the tunnel, and it has not",
          Label(p));
      f.evidence = {{"endpoint", "none", "ADDR:PORT, or the peer initiating to us"},
                    {"last handshake", "never", "—"},
                    {"expected up", expect.reason, "—"}};
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
std::vector<Finding> CheckWgKeepaliveNat(const Facts& facts, const Snapshot& s, const Snapshot*) {
  if (!KernelOk(s) || !DumpOk(s, kSourceRoutes) || !DumpOk(s, kSourceAddresses)) return {};
  const RouteIndex& routes = facts.routes();
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
      // Where the configuration is known, an endpoint it does not hold was
      // learned from the peer (a road warrior): the peer keeps its own NAT
      // mapping alive, and this router never needs to reach it first.
      if (!w.config.empty() && !p.endpoint_configured && !p.expect_up) continue;
      auto ep = EndpointAddress(p.endpoint);
      if (!ep || ep->family != 4 || IsPrivateAddress(*ep)) continue;
      if (ep->bytes[0] == 127 || (ep->bytes[0] == 169 && ep->bytes[1] == 254)) continue;
      const Route* r = routes.Best(*ep);
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

// vpn --probe sent echoes to a peer with a live session (vpn_probe.h chose
// the target and the source) and none came back: the handshake proves the
// control plane only.
std::vector<Finding> CheckWgProbeNoReply(const Facts& facts, const Snapshot& s, const Snapshot*) {
  std::vector<Finding> out;
  const WireguardLookup& lookup = facts.wireguard();
  for (const auto& pr : s.probes) {
    if (!pr.child.empty() || pr.df || pr.sent == 0 || pr.received != 0) continue;
    auto colon = pr.tunnel.find(':');
    if (colon == std::string::npos) continue;
    const WgInterface* w = lookup.FindInterface(std::string_view(pr.tunnel).substr(0, colon));
    const WgPeer* p = w ? lookup.FindPeer(w->name, std::string_view(pr.tunnel).substr(colon + 1))
                        : nullptr;
    if (!p || AdminDown(s, *w)) continue;
    auto age = HandshakeAge(s, *p);
    if (!age || *age > kRejectAfterTime) continue;
    bool operator_target = pr.origin == "operator";
    const std::string from = pr.source.empty() ? w->name : pr.source;
    Finding f{.id = "wg.probe.no-reply",
              .severity = operator_target ? Severity::kCritical : Severity::kWarning,
              .subject = PeerSubject(*w, *p),
              .weight = operator_target ? 70 : 40};
    f.message = fmt::format(
        "handshake with peer {} {} ago, yet {} echo requests from {} to {} through {} got no "
        "reply: the tunnel does not carry traffic{}",
        Label(*p), FormatAge(*age), pr.sent, from, pr.target, w->name,
        operator_target ? "" : " (or the derived target does not answer ICMP)");
    f.evidence = {
        {"probe", fmt::format("{} echo requests sent, {} replies", pr.sent, pr.received),
         "replies"},
        {"source / target", fmt::format("{} -> {} ({} target)", from, pr.target, pr.origin),
         "the interface's address, a host inside the peer's AllowedIPs"},
        {"last handshake", FormatAge(*age) + " ago",
         fmt::format("under {} s (REJECT_AFTER_TIME)", kRejectAfterTime)},
        {"received / sent (counters)",
         fmt::format("{} / {}", FormatBytes(p->rx_bytes), FormatBytes(p->tx_bytes)), "—"}};
    f.remedy = fmt::format(
        "The handshake works but data does not come back. On the peer: its AllowedIPs for this "
        "router must include our source {0} (WireGuard drops packets from other sources "
        "silently), and its routes and firewall must let the echo back into its tunnel. Here: "
        "`ip route get {1} from {0}` must name {2}. {3}Verify: `ping -I {0} {1}` while `wg show "
        "{2} transfer` runs twice; {4}",
        from, pr.target, w->name,
        operator_target ? ""
                        : "The target was derived from a single-host AllowedIPs: if that host "
                          "filters ICMP, give one that answers with --probe-target " +
                              (p->name.empty() ? p->public_key : p->name) + "=ADDR. ",
        Verify(*w));
    out.push_back(std::move(f));
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
    {"wg.peer.idle", Family::kWireguard,
     "an offline peer nothing expects up (a road warrior): info, never a fault", CheckWgPeerIdle},
    {"wg.allowedips.overlap", Family::kWireguard,
     "the same or nested AllowedIPs on two peers of one interface", CheckWgAllowedIpsOverlap},
    {"wg.allowedips.unrouted", Family::kWireguard,
     "an AllowedIPs prefix with no route into the "
     "interface",
     CheckWgAllowedIpsUnrouted},
    {"wg.mtu", Family::kWireguard, "tunnel MTU larger than the underlay allows", CheckWgMtu},
    {"wg.probe.no-reply", Family::kWireguard,
     "probe: echoes through a peer with a live handshake get no reply", CheckWgProbeNoReply},
    {"net.rp-filter.strict", Family::kNet, "strict rp_filter on a tunnel with asymmetric routes",
     CheckNetRpFilterStrict},
};

}  // namespace

std::span<const Rule> WireguardRules() { return kWireguardRules; }

}  // namespace edgediag::plugin

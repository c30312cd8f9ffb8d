// dx.bgp.notification and dx.bgp.timers: what the session itself says about
// why it is down (the last NOTIFICATION) and whether its timers are ones AWS
// accepts. Sources: RFC 4271 4.5 and 6 (NOTIFICATION codes), RFC 4486 and
// RFC 9003 (Cease subcodes and the shutdown communication), RFC 9234 (2/11),
// RFC 8538 (6/9); FRR bgp_vty.c bgp_show_peer_reset (lastErrorCodeSubcode is
// "%02X%02X", lastResetDueTo "BGP Notification received" / "BGP
// Notification send", lastResetTimerMsecs the age); AWS Direct Connect User
// Guide "BGP-specific settings" (hold time 90 s by default, minimum 3 s, 0
// not supported; keepalive minimum 1 s; BFD minimum 300 ms x 3; graceful
// restart and BFD together not advised).
#include <algorithm>
#include <map>
#include <optional>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "plugin/dx_match.h"
#include "plugin/dx_rules.h"
#include "plugin/facts.h"

namespace edgediag::plugin {

std::optional<BgpNotification> LastNotification(const BgpNeighbor& b) {
  const std::string& hex = b.lastErrorCodeSubcode;
  if (hex.size() != 4 || hex.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos)
    return std::nullopt;
  BgpNotification n;
  n.code = std::stoi(hex.substr(0, 2), nullptr, 16);
  n.subcode = std::stoi(hex.substr(2, 2), nullptr, 16);
  if (n.code == 0) return std::nullopt;
  // FRR says which way it went in lastResetDueTo (peer_down_str[]).
  if (b.lastResetDueTo.find("received") != std::string::npos)
    n.direction = BgpNotification::kReceived;
  else if (b.lastResetDueTo.find("send") != std::string::npos ||
           b.lastResetDueTo.find("sent") != std::string::npos)
    n.direction = BgpNotification::kSent;
  n.age_ms = b.lastResetTimerMsecs;
  return n;
}

std::string DescribeAge(std::optional<std::uint64_t> ms) {
  if (!ms) return "age unknown";
  std::uint64_t s = *ms / 1000;
  if (s < 120) return fmt::format("{} s ago", s);
  if (s < 7200) return fmt::format("{} min ago", s / 60);
  if (s < 172800) return fmt::format("{} h {} min ago", s / 3600, s % 3600 / 60);
  return fmt::format("{} days ago", s / 86400);
}

Evidence NotificationEvidence(const BgpNeighbor& b, const BgpNotification& n) {
  const char* dir = n.direction == BgpNotification::kReceived ? "received from the peer"
                    : n.direction == BgpNotification::kSent   ? "sent by this router"
                                                              : "direction unknown";
  std::string reason = b.lastNotificationReason.empty() ? "" : " " + b.lastNotificationReason;
  std::string text = b.lastShutdownDescription.empty()
                         ? ""
                         : fmt::format(" \"{}\"", b.lastShutdownDescription);
  return {"last NOTIFICATION",
          fmt::format("{}/{}{}{}, {}, {}", n.code, n.subcode, reason, text, dir,
                      DescribeAge(n.age_ms)),
          "none"};
}

namespace {

// A NOTIFICATION that proves little by itself (a reset, a configuration
// change, a race): on a session that stays down it still says more than the
// state alone (dx.bgp.state, 5), and less than any real cause.
constexpr int kTransient = 8;

struct Decoded {
  std::string cause;   ///< what it proves, one clause
  std::string remedy;  ///< the fix, before "Verify: ..."
  Severity severity = Severity::kCritical;
  int weight = 60;
};

std::string Peer(const DxPeering& p) { return p.amazon ? p.amazon->Address() : "PEER"; }

// Each code/subcode with its own cause and fix, by direction: the same
// Cease means one thing when AWS sends it and another when this router does.
Decoded Decode(const BgpNotification& n, const DxPeering& p) {
  const bool rx = n.direction == BgpNotification::kReceived;
  const bool tx = n.direction == BgpNotification::kSent;
  const std::string a = Peer(p);
  Decoded d;
  switch (n.code) {
    case 1:
      d.cause = fmt::format("a BGP message header error ({}): the TCP stream between the peers "
                            "is corrupted or desynchronised",
                            n.subcode == 1   ? "connection not synchronized"
                            : n.subcode == 2 ? "bad message length"
                                             : "bad message type");
      d.remedy = "Look for a middlebox rewriting TCP port 179 (firewall TCP inspection, "
                 "sequence randomisation) and for interface errors on the path";
      d.weight = 55;
      break;
    case 2:
      switch (n.subcode) {
        case 1:
          d.cause = "the peers do not agree on the BGP version (AWS speaks BGP-4)";
          d.remedy = "Do not pin the BGP version; FRR speaks version 4 only";
          break;
        case 2:
          d.cause = rx ? "AWS rejected the router's AS number (Bad Peer AS)"
                       : "the router rejected the AS number AWS sent (Bad Peer AS)";
          d.remedy = rx ? "Use the VIF's customer ASN as the router's AS (`router bgp ASN` / "
                          "`local-as`)"
                        : fmt::format("Set `neighbor {} remote-as` to the VIF's amazonSideAsn", a);
          d.weight = 84;
          break;
        case 3:
          d.cause = "the BGP identifier was refused (Bad BGP Identifier): a router-id of "
                    "0.0.0.0, or the same router-id as the peer";
          d.remedy = "Set a unique, non-zero router-id: VyOS `set protocols bgp parameters "
                     "router-id A.B.C.D`; FRR `bgp router-id A.B.C.D`";
          d.weight = 82;
          break;
        case 4:
          d.cause = "an OPEN optional parameter the peer does not support";
          d.remedy = "Remove non-standard OPEN options (e.g. `extended-optional-parameters`)";
          d.weight = 70;
          break;
        case 6:
          d.cause = rx ? "AWS refused the router's hold time (Unacceptable Hold Time): AWS "
                         "accepts neither 0 nor less than 3 s"
                       : "the router refused the hold time AWS offered (Unacceptable Hold Time)";
          d.remedy = "Use a hold time of 3 s or more (AWS's default: 90 s, keepalive 30 s): "
                     "VyOS `set protocols bgp neighbor " + a + " timers holdtime 90`";
          d.weight = 84;
          break;
        case 7:
          d.cause = rx ? "AWS does not support a capability the router requires "
                         "(Unsupported Capability)"
                       : "the router requires a capability AWS did not offer (Unsupported "
                         "Capability): e.g. `strict-capability-match` or `enforce-first-as`";
          d.remedy = fmt::format("Drop strict capability matching: FRR `no neighbor {} "
                                 "strict-capability-match`; do not `override-capability` on a "
                                 "DX peer",
                                 a);
          d.weight = 78;
          break;
        case 11:
          d.cause = "the BGP roles do not match (Role Mismatch, RFC 9234): AWS sets no role";
          d.remedy = fmt::format("Remove the strict role: FRR `no neighbor {} local-role`", a);
          d.weight = 80;
          break;
        default:
          d.cause = fmt::format("an OPEN message error (subcode {}): the peers disagree on "
                                "something in the OPEN",
                                n.subcode);
          d.remedy = "Compare both OPENs: `debug bgp neighbor-events` and the bgpd log";
          d.weight = 70;
      }
      break;
    case 3:
      d.cause = rx ? fmt::format("AWS found an UPDATE from the router malformed (UPDATE "
                                 "message error, subcode {}): an attribute a route-map set, an "
                                 "over-long AS path or a bad next hop",
                                 n.subcode)
                   : fmt::format("the router found an UPDATE from AWS malformed (UPDATE "
                                 "message error, subcode {})",
                                 n.subcode);
      d.remedy = fmt::format("Check what the outbound policy sets (as-path prepend, "
                             "communities, next-hop): `show ip bgp neighbors {} "
                             "advertised-routes` and the bgpd log",
                             a);
      d.weight = 70;
      break;
    case 4:
      d.cause = rx ? "AWS's hold timer expired: AWS stopped hearing this router's keepalives"
              : tx ? "the router's hold timer expired: keepalives from AWS stopped arriving"
                   : "a hold timer expired: keepalives stopped arriving";
      d.remedy = "Keepalives are lost on the path: check the MTU end to end (large UPDATEs "
                 "followed by silence point at it), the link's error counters and the "
                 "router's CPU";
      d.weight = 62;
      break;
    case 5:
      d.cause = "a BGP finite-state-machine error: a message arrived that the state did not "
                "allow, often two connections racing";
      d.remedy = "Usually transient; if it repeats, look at both connection attempts in the "
                 "bgpd log";
      d.weight = kTransient;
      break;
    case 6:
      switch (n.subcode) {
        case 1:
          d.cause = rx ? "AWS closed the session: too many prefixes (Cease 6/1)"
                       : "the router closed the session: AWS sent more prefixes than the "
                         "router's maximum-prefix allows";
          d.remedy = rx ? "Send no more prefixes than the VIF allows (100 per address family on "
                          "private and transit VIFs, 1,000 on public): summarise or filter"
                        : fmt::format("Raise the local limit: `neighbor {} maximum-prefix N`", a);
          d.weight = 86;
          break;
        case 2:
          d.cause = rx ? "AWS shut the session down administratively (Cease 6/2): the VIF or "
                         "its BGP peer is being deleted, down, or under maintenance"
                       : fmt::format("this router shut the session down administratively (Cease "
                                     "6/2): `neighbor {} shutdown` is configured",
                                     a);
          d.remedy = rx ? "Check the VIF's state and bgpPeers in the console (`aws directconnect "
                          "describe-virtual-interfaces`) and the AWS Health Dashboard for "
                          "maintenance"
                        : fmt::format("Enable the neighbor: VyOS `delete protocols bgp neighbor "
                                      "{0} shutdown`; FRR `no neighbor {0} shutdown`",
                                      a);
          d.weight = tx ? 90 : 85;
          break;
        case 3:
          d.cause = rx ? "AWS de-configured this BGP peer (Cease 6/3): the bgpPeer or the VIF "
                         "was deleted on AWS's side"
                       : "this router de-configured the neighbor (Cease 6/3)";
          d.remedy = rx ? "Check that the VIF and its BGP peer still exist: `aws directconnect "
                          "describe-virtual-interfaces`"
                        : "Configure the neighbor again if it was removed by mistake";
          d.weight = 85;
          break;
        case 4:
          d.cause = rx ? "AWS reset the session administratively (Cease 6/4)"
                       : "the session was reset on this router (Cease 6/4: `clear bgp`)";
          d.remedy = "A reset is transient: if the session stays down, the causes above apply";
          d.weight = kTransient;
          break;
        case 5:
          d.cause = rx ? "AWS rejected the connection (Cease 6/5): its side does not accept "
                         "this peering yet (VIF or BGP peer not available) or the connection "
                         "came from an unexpected address"
                       : "the router rejected AWS's connection (Cease 6/5): the neighbor is "
                         "not configured for the address AWS connects from, or is passive "
                         "and already connecting";
          d.remedy = rx ? "Check the VIF and bgpPeer state (available) and that the session is "
                          "sourced from the VIF's customerAddress"
                        : fmt::format("Make sure `neighbor {}` exists for the exact Amazon "
                                      "address, in the VRF of the VIF's interface",
                                      a);
          d.weight = 72;
          break;
        case 6:
          d.cause = rx ? "AWS reset the session after a configuration change on its side "
                         "(Cease 6/6)"
                       : "the session was reset after a configuration change on this router "
                         "(Cease 6/6)";
          d.remedy = "Transient by itself; if the session stays down, the causes above apply";
          d.weight = kTransient;
          break;
        case 7:
          d.cause = "a connection collision (Cease 6/7): both ends opened at once and one "
                    "connection was closed, as BGP intends";
          d.remedy = "Nothing to fix by itself: harmless unless it repeats";
          d.severity = Severity::kInfo;
          d.weight = 2;
          break;
        case 8:
          d.cause = rx ? "AWS's side ran out of resources (Cease 6/8)"
                       : "the router ran out of resources (Cease 6/8): memory or a limit";
          d.remedy = rx ? "Open an AWS support case for the VIF"
                        : "Check memory and bgpd's log on the router";
          d.weight = 60;
          break;
        case 9:
          d.cause = "a hard reset (Cease 6/9, RFC 8538): graceful restart state was dropped";
          d.remedy = "Transient; see the reason logged by bgpd";
          d.weight = kTransient;
          break;
        case 10:
          d.cause = "BFD declared the path down (Cease 6/10): packets between the peers were "
                    "lost for longer than BFD's detection time";
          d.remedy = "Check the link's errors and the BFD intervals (AWS's minimum: 300 ms x 3)";
          d.weight = 62;
          break;
        default:
          d.cause = fmt::format("a Cease (subcode {})", n.subcode);
          d.remedy = "See the bgpd log for the reason";
          d.weight = 40;
      }
      break;
    case 7:
      d.cause = "a ROUTE-REFRESH message error: the peers disagree on enhanced route refresh";
      d.remedy = "Check route-refresh capabilities; usually transient";
      d.weight = kTransient;
      break;
    default:
      d.cause = fmt::format("NOTIFICATION code {} subcode {}", n.code, n.subcode);
      d.remedy = "See the bgpd log";
      d.weight = 30;
  }
  return d;
}

// Whether a more specific id names this NOTIFICATION's cause: then that
// finding carries the NOTIFICATION as its evidence and this rule is silent.
bool NamedElsewhere(const DxPeering& p, const BgpNotification& n, const Snapshot* prev) {
  const BgpNeighbor& b = *p.bgp;
  if (n.code == 2 && n.subcode == 2) {
    if (!p.vif) return n.direction != BgpNotification::kUnknown;  // dx.asn.* zero-config
    bool local = b.localAs && p.expected.asn && *b.localAs != *p.expected.asn;
    bool remote = b.remoteAs && p.vif->amazonSideAsn && *b.remoteAs != *p.vif->amazonSideAsn;
    return local || remote;
  }
  // dx.bgp.prefix-limit knows the VIF type's limit.
  if (n.code == 6 && n.subcode == 1 && n.direction == BgpNotification::kReceived && p.vif)
    return true;
  // dx.bgp.flapping: repeated drops, or drops since the last look.
  if (b.connectionsDropped >= 3) return true;
  if (prev)
    for (const auto& pb : prev->bgp_neighbors)
      if (pb.address == b.address && pb.vrf == b.vrf && b.connectionsDropped > pb.connectionsDropped)
        return true;
  return false;
}

}  // namespace

std::vector<Finding> CheckBgpNotification(const Facts& facts, const Snapshot&,
                                          const Snapshot* prev) {
  std::vector<Finding> out;
  for (const auto& p : facts.dx()) {
    // An Established session's last NOTIFICATION is history.
    if (!p.bgp || Established(p)) continue;
    auto n = LastNotification(*p.bgp);
    if (!n || NamedElsewhere(p, *n, prev)) continue;
    Decoded d = Decode(*n, p);
    Finding f{.id = "dx.bgp.notification", .severity = d.severity, .subject = p.subject};
    f.message = fmt::format("BGP is {}; the last NOTIFICATION ({}/{}, {}) says {}",
                            p.bgp->bgpState, n->code, n->subcode,
                            n->direction == BgpNotification::kReceived ? "received"
                            : n->direction == BgpNotification::kSent  ? "sent"
                                                                      : "direction unknown",
                            d.cause);
    f.evidence = {NotificationEvidence(*p.bgp, *n),
                  {"NOTIFICATIONs sent/received",
                   fmt::format("{}/{}", p.bgp->notificationsSent, p.bgp->notificationsRecv), ""},
                  {"BGP state", p.bgp->bgpState, "Established"}};
    f.remedy = d.remedy + ". Verify: " + ShowNeighbor(p);
    f.weight = d.weight;
    out.push_back(std::move(f));
  }
  return out;
}

std::vector<Finding> CheckBgpTimers(const Facts& facts, const Snapshot&, const Snapshot*) {
  std::vector<Finding> out;
  constexpr std::uint64_t kMinHoldMs = 3000, kMinKeepaliveMs = 1000;
  constexpr std::uint32_t kMinBfdMs = 300, kMinBfdMultiplier = 3;
  for (const auto& p : facts.dx()) {
    if (!p.bgp) continue;
    const BgpNeighbor& b = *p.bgp;
    const bool up = Established(p);
    std::vector<std::string> wrong;
    Finding f{.id = "dx.bgp.timers", .severity = Severity::kWarning, .subject = p.subject};
    auto secs = [](std::optional<std::uint64_t> ms) {
      return ms ? fmt::format("{:g} s", static_cast<double>(*ms) / 1000) : std::string("-");
    };
    // Configured timers; FRR shows the negotiated ones only once Established.
    auto hold_bad = [&](std::optional<std::uint64_t> ms) { return ms && *ms < kMinHoldMs; };
    bool hold = hold_bad(b.bgpTimerConfiguredHoldTimeMsecs) || (up && hold_bad(b.bgpTimerHoldTimeMsecs));
    bool keepalive = (b.bgpTimerConfiguredKeepAliveIntervalMsecs &&
                      *b.bgpTimerConfiguredKeepAliveIntervalMsecs < kMinKeepaliveMs) ||
                     (up && b.bgpTimerKeepAliveIntervalMsecs &&
                      *b.bgpTimerKeepAliveIntervalMsecs < kMinKeepaliveMs);
    if (hold || keepalive) {
      f.evidence.push_back({"hold time configured / in force",
                            fmt::format("{} / {}", secs(b.bgpTimerConfiguredHoldTimeMsecs),
                                        up ? secs(b.bgpTimerHoldTimeMsecs) : "-"),
                            "3 s or more, not 0 (AWS default 90 s)"});
      f.evidence.push_back({"keepalive configured / in force",
                            fmt::format("{} / {}", secs(b.bgpTimerConfiguredKeepAliveIntervalMsecs),
                                        up ? secs(b.bgpTimerKeepAliveIntervalMsecs) : "-"),
                            "1 s or more (AWS default 30 s)"});
      wrong.push_back(hold ? "a hold time AWS does not accept (0, or under 3 s)"
                           : "a keepalive interval AWS does not accept (under 1 s)");
      // Not up with timers AWS refuses: the likeliest reason it is not up.
      if (!up) f.severity = Severity::kCritical;
    }
    bool bfd = b.bfdDetectMultiplier || b.bfdRxMinInterval || b.bfdTxMinInterval || !b.bfdStatus.empty();
    if (bfd) {
      bool fast = (b.bfdRxMinInterval && *b.bfdRxMinInterval < kMinBfdMs) ||
                  (b.bfdTxMinInterval && *b.bfdTxMinInterval < kMinBfdMs) ||
                  (b.bfdDetectMultiplier && *b.bfdDetectMultiplier < kMinBfdMultiplier);
      if (fast) {
        f.evidence.push_back({"BFD receive/transmit interval x multiplier",
                              fmt::format("{}/{} ms x {}", b.bfdRxMinInterval.value_or(0),
                                          b.bfdTxMinInterval.value_or(0),
                                          b.bfdDetectMultiplier.value_or(0)),
                              "at least 300/300 ms x 3 (AWS's minimum)"});
        wrong.push_back("BFD intervals below AWS's minimum of 300 ms x 3");
      }
      // "Restart" or "Restart*" (inherited): this router asks AWS to keep
      // its routes across a restart; "Helper" only helps the peer.
      if (b.localGrMode.rfind("Restart", 0) == 0) {
        f.evidence.push_back({"graceful restart with BFD", b.localGrMode + " + BFD",
                              "one of the two (AWS advises against both)"});
        wrong.push_back("graceful restart together with BFD, which AWS advises against");
      }
    }
    if (wrong.empty()) continue;
    f.message = fmt::format("the session uses {}", fmt::join(wrong, "; and "));
    f.remedy = fmt::format(
        "Use AWS's values: VyOS `set protocols bgp neighbor {0} timers holdtime 90` and "
        "`timers keepalive 30` (FRR `neighbor {0} timers 30 90`); BFD at least `interval "
        "receive 300 transmit 300 multiplier 3`; with BFD, `delete protocols bgp parameters "
        "graceful-restart`. Verify: {1}",
        Peer(p), ShowNeighbor(p));
    f.weight = f.severity == Severity::kCritical ? 76 : 20;
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace edgediag::plugin

namespace edgediag::plugin {

std::optional<Finding> ZeroConfigAsn(const DxPeering& p, bool local) {
  if (p.vif || !p.bgp || Established(p)) return std::nullopt;
  auto n = LastNotification(*p.bgp);
  if (!n || n->code != 2 || n->subcode != 2) return std::nullopt;
  if (n->direction != (local ? BgpNotification::kReceived : BgpNotification::kSent))
    return std::nullopt;
  const BgpNeighbor& b = *p.bgp;
  const std::string a = Peer(p);
  Finding f{.id = local ? "dx.asn.local-mismatch" : "dx.asn.remote-mismatch",
            .severity = Severity::kCritical,
            .subject = p.subject};
  // No VIF description: AWS's value is unknown; the NOTIFICATION's direction
  // says which side refused which AS.
  if (local) {
    f.message = fmt::format("AWS refused the router's AS {} with NOTIFICATION 2/2 Bad Peer AS: "
                            "the VIF was created for another customer ASN (no VIF description: "
                            "AWS's value is unknown)",
                            b.localAs ? std::to_string(*b.localAs) : "?");
    f.evidence = {{"router's local AS", b.localAs ? std::to_string(*b.localAs) : "?",
                   "the VIF's asn (unknown: no VIF description)"},
                  NotificationEvidence(b, *n)};
    f.remedy = fmt::format("Read the VIF's customer ASN (`aws directconnect "
                           "describe-virtual-interfaces`, field asn/asnLong) and use it: VyOS "
                           "`set protocols bgp system-as ASN` or `local-as ASN` on the neighbor. "
                           "Verify: {}",
                           ShowNeighbor(p));
  } else {
    f.message = fmt::format("the router refused AWS's AS with NOTIFICATION 2/2 Bad Peer AS: the "
                            "configured remote-as {} is not the VIF's Amazon-side ASN (no VIF "
                            "description: AWS's value is unknown)",
                            b.remoteAs ? std::to_string(*b.remoteAs) : "?");
    f.evidence = {{"configured remote-as", b.remoteAs ? std::to_string(*b.remoteAs) : "?",
                   "the VIF's amazonSideAsn (unknown: no VIF description)"},
                  NotificationEvidence(b, *n)};
    f.remedy = fmt::format("Read amazonSideAsn (`aws directconnect describe-virtual-interfaces`) "
                           "and set it: VyOS `set protocols bgp neighbor {0} remote-as ASN`. "
                           "Verify: {1}",
                           a, ShowNeighbor(p));
  }
  f.weight = 90;
  return f;
}

}  // namespace edgediag::plugin

namespace edgediag::plugin {

std::optional<Finding> ZeroConfigMd5(const Snapshot& s, const DxPeering& p, const Snapshot* prev) {
  if (p.vif || !p.bgp || !prev) return std::nullopt;
  if (p.bgp->bgpState != "Connect" && p.bgp->bgpState != "Active") return std::nullopt;
  std::map<std::string, std::uint64_t> rise;
  for (const char* c : {"TCPMD5Failure", "TCPMD5NotFound", "TCPMD5Unexpected"}) {
    auto now = s.counters.tcp_ext.find(c);
    auto then = prev->counters.tcp_ext.find(c);
    if (now == s.counters.tcp_ext.end() || then == prev->counters.tcp_ext.end()) continue;
    if (now->second > then->second) rise[c] = now->second - then->second;
  }
  if (rise.empty()) return std::nullopt;
  bool keyed = p.bgp->passwordConfigured;
  for (const TcpSocket* t : p.sockets) keyed |= !t->md5_keys.empty();
  // Unkeyed, only signed segments arriving unexpected: AWS signs, we do not.
  bool missing = !keyed && rise.size() == 1 && rise.count("TCPMD5Unexpected");
  if (!keyed && !missing) return std::nullopt;
  std::vector<std::string> parts;
  for (const auto& [c, d] : rise) parts.push_back(fmt::format("{} +{}", c, d));
  const std::string a = Peer(p);
  Finding f{.id = missing ? "dx.md5.missing" : "dx.md5.mismatch",
            .severity = Severity::kCritical,
            .subject = p.subject};
  f.message = missing
                  ? fmt::format("signed TCP segments arrive while the router holds no MD5 key for "
                                "{} and BGP sits in {}: AWS uses a key (it always does) and the "
                                "router has none (AWS's key was not available to compare: no "
                                "VIF description)",
                                a, p.bgp->bgpState)
                  : fmt::format("the kernel's TCP-MD5 counters rise while the keyed session to {} "
                                "sits in {}: the router's key and AWS's differ (AWS's key was not "
                                "available to compare: no VIF description)",
                                a, p.bgp->bgpState);
  f.evidence = {{"kernel MD5 counters over the sample", fmt::format("{}", fmt::join(parts, ", ")),
                 "no change"},
                {"router's MD5 key for the peer", keyed ? "configured" : "none",
                 "the VIF's authKey (unknown: no VIF description)"},
                {"BGP state", p.bgp->bgpState, "Established"}};
  f.remedy = fmt::format(
      "Read the VIF's authKey (console, or `aws directconnect describe-virtual-interfaces`) and "
      "type it by hand: VyOS `set protocols bgp neighbor {0} password '...'`; FRR `neighbor {0} "
      "password ...`. With the VIF file (--vif-file), edgediag says how the keys differ. Verify: "
      "{1}; `nstat -az | grep MD5` must stop rising",
      a, ShowNeighbor(p));
  // Counters are host-wide; with several DX peers they point at no one peer
  // alone, but a keyed session stuck before OPEN is what MD5 looks like.
  f.weight = 80;
  return f;
}

}  // namespace edgediag::plugin

namespace edgediag::plugin {

std::optional<Finding> ZeroConfigMtu(const Snapshot& s, const DxPeering& p) {
  if (p.vif || !p.iface || p.iface->mtu == 0) return std::nullopt;
  const std::uint32_t mtu = p.iface->mtu;
  // FACTS: private 1500, 8500 or 9001; transit 1500 or 8500; public 1500.
  if (mtu == 1500 || mtu == 8500 || mtu == 9001) return std::nullopt;
  Finding f{.id = "dx.mtu.mismatch", .severity = Severity::kWarning, .subject = p.subject};
  f.message = fmt::format("{} has MTU {}, which no VIF offers (AWS: 1500, 8500 or 9001; the VIF's "
                          "own MTU is unknown without its description)",
                          p.iface->name, mtu);
  f.evidence = {{fmt::format("MTU of {}", p.iface->name), std::to_string(mtu),
                 "the VIF's mtu: 1500, 8500 or 9001 (assumed: no VIF description)"}};
  f.remedy = fmt::format("Read the VIF's mtu (`aws directconnect describe-virtual-interfaces`) and "
                         "set it: VyOS `set interfaces {} mtu 1500` (or 8500/9001). Verify: `ping "
                         "-M do -s 1472 {}`",
                         VyosPath(s, *p.iface), Peer(p));
  f.weight = mtu > 1500 && Established(p) ? 45 : 20;
  return f;
}

}  // namespace edgediag::plugin

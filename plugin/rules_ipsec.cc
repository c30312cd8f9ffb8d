// The ipsec.* catalogue, and the rules on the SAs themselves: the daemon,
// IKE and CHILD SAs, and their traffic. Ids are API: add, never rename.
// Sources: strongSwan's VICI protocol (list-conns / list-sas) and
// ike_sa.h / child_sa.h states; the data-path rules are in
// rules_ipsec_path.cc.
#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "plugin/facts.h"
#include "plugin/ipsec_rules.h"
#include "plugin/rules.h"
#include "plugin/vpn_common.h"

namespace edgediag::plugin {

// ---------------------------------------------------------------------------
// Subjects and ok.

Subject ConnectionSubject(const Snapshot& s, std::string_view name) {
  Subject sub{SubjectKind::kIpsecConnection, std::string(name), "", "", ""};
  for (const IkeSa* ike : IkesOf(s, name))
    if (sub.peer.empty()) sub.peer = ike->remote_host;
  if (sub.peer.empty())
    if (const IpsecConnection* c = FindConnection(s, name); c && !c->remote_addrs.empty())
      sub.peer = c->remote_addrs.front();
  return sub;
}

std::vector<Subject> IpsecSubjects(const Snapshot& s) {
  std::vector<Subject> out;
  std::set<std::string> seen;
  auto add = [&](const std::string& name) {
    if (seen.insert(name).second) out.push_back(ConnectionSubject(s, name));
  };
  for (const auto& c : s.ipsec_connections) add(c.name);
  for (const auto& ike : s.ike_sas) add(ike.name);
  return out;
}

Finding IpsecOk(const Snapshot& s, const Subject& subject) {
  Finding f{.id = "ipsec.ok", .severity = Severity::kOk, .weight = 0};
  const IkeSa* up = nullptr;
  for (const IkeSa* ike : IkesOf(s, subject.id))
    if (IkeUp(*ike) && !up) up = ike;
  if (!up) {
    f.message = "no IKE SA, and nothing is waiting for one; nothing points at a fault";
    f.evidence.push_back({"IKE SA", "none (on demand)", "established when traffic needs it"});
    return f;
  }
  int installed = 0, total = 0;
  for (const auto& c : up->child_sas) {
    if (!ChildPresent(c)) continue;
    ++total;
    if (c.state == "INSTALLED") ++installed;
    f.evidence.push_back({fmt::format("CHILD SA {} ({})", c.name, TsText(c)),
                          fmt::format("{}, in {} / out {}", c.state, FormatBytes(c.bytes_in),
                                      FormatBytes(c.bytes_out)),
                          "INSTALLED"});
  }
  f.evidence.insert(
      f.evidence.begin(),
      {"IKE SA", fmt::format("{} with {}", up->state, up->remote_host), "ESTABLISHED"});
  f.message =
      fmt::format("IKE SA {} with {}, {} of {} CHILD SAs INSTALLED; nothing points at a fault",
                  up->state, up->remote_host, installed, total);
  return f;
}

// ---------------------------------------------------------------------------
// The checks.

std::vector<Finding> CheckIpsecDaemonUnreachable(const Facts&, const Snapshot& s, const Snapshot*) {
  const SourceStatus& v = s.Source(kSourceVici);
  if (v.state == SourceState::kOk || v.state == SourceState::kNotCollected) return {};
  Finding f{.id = "ipsec.daemon.unreachable", .subject = HostSubject(s)};
  f.evidence.push_back({"strongSwan VICI socket", v.reason.empty() ? "unreachable" : v.reason,
                        "charon answering (default /var/run/charon.vici)"});
  if (v.state == SourceState::kPermissionDenied) {
    f.severity = Severity::kUnknown;
    f.weight = 90;
    f.message =
        "strongSwan's VICI socket is not accessible to this user: IPsec could not be checked";
    f.remedy =
        "Run as root: VyOS `show vpn-health` does this through sudo; Linux `sudo edgediag "
        "vpn --ipsec`. Verify: `sudo swanctl --list-sas`";
    return {f};
  }
  bool xfrm_ok = s.Source(kSourceXfrm).state == SourceState::kOk;
  std::size_t policies = xfrm_ok ? s.xfrm_policies.size() : 0;
  std::size_t states = xfrm_ok ? s.xfrm_states.size() : 0;
  std::vector<std::string> tunnels;
  for (const auto& i : s.interfaces)
    if (IsTunnelKind(i)) tunnels.push_back(i.name);
  bool nat_mentions_ipsec = std::any_of(s.nat_rules.begin(), s.nat_rules.end(),
                                        [](const NatRule& r) { return !r.ipsec.empty(); });
  // capture_ipsec.cc says "strongSwan not running" only when the socket file
  // is absent; any other failure means a charon that crashed or hangs.
  bool socket_present = v.reason.rfind("strongSwan not running", 0) != 0;
  const std::string restart =
      "Start it and read why it stopped: VyOS `restart vpn ipsec`; Linux `systemctl restart "
      "strongswan` and `journalctl -u strongswan -n 50`. Verify: VyOS `show vpn ipsec sa`; Linux "
      "`swanctl --list-sas`";
  if (policies + states > 0) {
    f.severity = Severity::kCritical;
    f.weight = 95;
    f.message = fmt::format(
        "strongSwan is unreachable while the kernel holds {} IPsec policies and {} SAs: nothing "
        "will rekey or re-establish them",
        policies, states);
    f.evidence.push_back({"kernel IPsec state (ip xfrm)",
                          fmt::format("{} policies, {} states", policies, states),
                          "managed by a running charon"});
    f.remedy = restart;
  } else if (!tunnels.empty() || nat_mentions_ipsec || socket_present) {
    f.severity = Severity::kWarning;
    f.weight = 60;
    f.message =
        !tunnels.empty() ? fmt::format(
                               "strongSwan is unreachable but this router has IPsec tunnel "
                               "interfaces ({}): their tunnels cannot come up",
                               Join(tunnels))
        : socket_present
            ? "strongSwan's VICI socket exists but charon does not answer: it crashed or hangs"
            : "strongSwan is unreachable but the NAT rules expect IPsec traffic";
    if (!tunnels.empty()) f.evidence.push_back({"tunnel interfaces", Join(tunnels), "—"});
    f.remedy = restart;
  } else {
    f.severity = Severity::kInfo;
    f.weight = 10;
    f.message =
        "strongSwan is not running and the kernel holds no IPsec state: IPsec is not in use "
        "here";
    f.remedy =
        "Nothing to do unless IPsec should run here; then configure it (VyOS `set vpn ipsec "
        "...`) and check `systemctl status strongswan`";
  }
  return {f};
}

std::vector<Finding> CheckIpsecIkeDown(const Facts&, const Snapshot& s, const Snapshot* prev) {
  if (!ViciOk(s)) return {};
  std::vector<Finding> out;
  auto waiting = PacketsWaiting(s, prev);
  for (const auto& c : s.ipsec_connections) {
    auto ikes = IkesOf(s, c.name);
    if (std::any_of(ikes.begin(), ikes.end(), [](const IkeSa* i) { return IkeUp(*i); })) continue;
    std::string remote = RemoteOf(s, c);
    StartAction start = ConnectionStart(s, c);
    Finding f{.id = "ipsec.ike.down", .subject = ConnectionSubject(s, c.name)};
    std::string seen =
        ikes.empty() ? "none"
                     : fmt::format("{} (uniqueid {})", ikes.front()->state, ikes.front()->uniqueid);
    f.evidence.push_back({"IKE SA", seen, "ESTABLISHED"});
    const char* action = start == StartAction::kStart  ? "start"
                         : start == StartAction::kTrap ? "trap (on demand)"
                         : start == StartAction::kNone ? "none (respond only)"
                                                       : "not reported by charon";
    f.evidence.push_back({"start_action", action, "—"});
    std::string child = c.children.empty() ? "" : c.children.front().name;
    f.remedy = fmt::format(
        "Bring it up and read the negotiation: {}. The log names the failure: `journalctl -u "
        "strongswan -n 100` (AUTHENTICATION_FAILED: keys/IDs differ; NO_PROPOSAL_CHOSEN: "
        "proposals differ; retransmits without answer: UDP 500/4500 blocked or the peer's address "
        "is wrong). {}",
        Reinitiate(&c, c.name, child), VerifySa(c.name));
    if (start == StartAction::kStart) {
      f.severity = Severity::kCritical;
      f.weight = 80;
      f.message = fmt::format("configured to start, but no IKE SA is established with {}", remote);
    } else if (waiting) {
      f.severity = Severity::kCritical;
      f.weight = 75;
      f.message = fmt::format("no IKE SA is established with {} while packets wait for an IPsec SA",
                              remote);
      f.evidence.push_back({"XfrmOutNoStates",
                            fmt::format("+{} since the previous sample", *waiting), "not rising"});
    } else if (start == StartAction::kTrap) {
      f.severity = Severity::kInfo;
      f.weight = 20;
      f.message = fmt::format(
          "no IKE SA with {}: an on-demand (trap) connection, idle, with no "
          "traffic waiting",
          remote);
      f.remedy = fmt::format(
          "Nothing to do while idle: the first packet toward a remote selector "
          "brings it up. Verify the trap is installed: `swanctl --list-pols` / "
          "`ip xfrm policy`; bring it up by hand: {}",
          Reinitiate(&c, c.name, child));
    } else if (start == StartAction::kNone) {
      f.severity = Severity::kWarning;
      f.weight = 50;
      f.message = fmt::format(
          "no IKE SA with {}: this side only responds (start_action none) and "
          "the peer has not connected",
          remote);
    } else {
      f.severity = Severity::kWarning;
      f.weight = 60;
      f.message = fmt::format("configured, but no IKE SA is established with {}", remote);
    }
    out.push_back(std::move(f));
  }
  return out;
}

std::vector<Finding> CheckIpsecIkeDuplicate(const Facts&, const Snapshot& s, const Snapshot*) {
  if (!ViciOk(s)) return {};
  std::vector<std::pair<std::string, std::string>> order;
  std::map<std::pair<std::string, std::string>, std::vector<const IkeSa*>> groups;
  for (const auto& ike : s.ike_sas) {
    // A rekey briefly shows two SAs, the old one REKEYING/REKEYED: only
    // ESTABLISHED ones count as duplicates.
    if (ike.state != "ESTABLISHED") continue;
    auto key = std::make_pair(ike.name, ike.remote_host);
    if (!groups.count(key)) order.push_back(key);
    groups[key].push_back(&ike);
  }
  std::vector<Finding> out;
  for (const auto& key : order) {
    const auto& g = groups[key];
    if (g.size() < 2) continue;
    int deaf = 0;  // sending on it, receiving nothing
    Finding f{.id = "ipsec.ike.duplicate", .subject = ConnectionSubject(s, key.first)};
    std::vector<std::string> deaf_ids;
    for (const IkeSa* ike : g) {
      std::uint64_t in = 0, out_b = 0;
      for (const auto& c : ike->child_sas) in += c.bytes_in, out_b += c.bytes_out;
      if (in == 0 && out_b > 0) ++deaf, deaf_ids.push_back(std::to_string(ike->uniqueid));
      f.evidence.push_back(
          {fmt::format("IKE SA uniqueid {}", ike->uniqueid),
           fmt::format(
               "established {} ago, CHILD SAs in {} / out {}",
               ike->established ? FormatAge(static_cast<std::int64_t>(*ike->established)) : "?",
               FormatBytes(in), FormatBytes(out_b)),
           "one IKE SA per peer"});
    }
    f.severity = deaf > 0 ? Severity::kCritical : Severity::kWarning;
    f.weight = deaf > 0 ? 72 : 45;
    f.message = deaf > 0 ? fmt::format(
                               "{} IKE SAs are established with {} for the same connection; {} of "
                               "them send but receive nothing",
                               g.size(), key.second, deaf)
                         : fmt::format("{} IKE SAs are established with {} for the same connection",
                                       g.size(), key.second);
    f.remedy = fmt::format(
        "Keep one SA per peer: let only one side initiate (VyOS `set vpn ipsec site-to-site peer "
        "{0} "
        "connection-type respond` on one end; strongSwan `start_action = trap` or `none` there) "
        "and "
        "set `unique = replace` in connections.{0} so a new SA replaces the old. Remove the extra "
        "now: Linux `swanctl --terminate --ike-id {1}`. {2}",
        key.first, deaf_ids.empty() ? std::to_string(g.front()->uniqueid) : deaf_ids.front(),
        VerifySa(key.first));
    out.push_back(std::move(f));
  }
  return out;
}

std::vector<Finding> CheckIpsecChildMissing(const Facts&, const Snapshot& s, const Snapshot* prev) {
  if (!ViciOk(s)) return {};
  std::vector<Finding> out;
  auto waiting = PacketsWaiting(s, prev);
  for (const auto& c : s.ipsec_connections) {
    std::vector<const IkeSa*> up;
    for (const IkeSa* ike : IkesOf(s, c.name))
      if (IkeUp(*ike)) up.push_back(ike);
    if (up.empty()) continue;  // ipsec.ike.down's business
    for (const auto& cc : c.children) {
      const ChildSa* present = nullptr;
      const ChildSa* other = nullptr;
      for (const IkeSa* ike : up)
        for (const auto& sa : ike->child_sas) {
          if (sa.name != cc.name) continue;
          if (ChildPresent(sa))
            present = &sa;
          else if (!other)
            other = &sa;
        }
      if (present) continue;
      StartAction start = StartOf(s, cc);
      std::string ts = fmt::format("{} === {}", Join(cc.local_ts, ","), Join(cc.remote_ts, ","));
      std::string state = other ? fmt::format("in state {}", other->state) : "absent";
      Finding f{.id = "ipsec.child.missing", .subject = ConnectionSubject(s, c.name)};
      f.evidence = {
          {fmt::format("CHILD SA {}", cc.name), other ? other->state : "absent", "INSTALLED"},
          {"configured traffic selectors", ts, "mirrored by the peer (or narrowed)"}};
      f.message = fmt::format("IKE SA with {} is up but CHILD SA {} ({}) is {}",
                              up.front()->remote_host, cc.name, ts, state);
      f.remedy = fmt::format(
          "Initiate it and read the answer: {}. TS_UNACCEPTABLE in `journalctl -u strongswan` "
          "means the two sides' local/remote subnets do not mirror each other; "
          "NO_PROPOSAL_CHOSEN that the ESP proposals differ. {}",
          Reinitiate(&c, c.name, cc.name), VerifySa(c.name));
      switch (start) {
        case StartAction::kStart:
          f.severity = Severity::kCritical;
          f.weight = 70;
          break;
        case StartAction::kUnknown:
          f.severity = Severity::kCritical;
          f.weight = 65;
          break;
        case StartAction::kNone:
          f.severity = waiting ? Severity::kCritical : Severity::kWarning;
          f.weight = waiting ? 65 : 45;
          break;
        case StartAction::kTrap:
          f.severity = waiting ? Severity::kCritical : Severity::kInfo;
          f.weight = waiting ? 65 : 20;
          if (!waiting)
            f.message = fmt::format(
                "CHILD SA {} ({}) is not installed: on demand (trap), no "
                "traffic for it yet",
                cc.name, ts);
          break;
      }
      out.push_back(std::move(f));
    }
  }
  return out;
}

namespace {

// The previous sample's SA for the same CHILD: same connection, name and
// reqid (reqids survive rekeys). The one with the same SPI if still there.
const ChildSa* PreviousChild(const Snapshot& prev, const IkeSa& ike, const ChildSa& c) {
  const ChildSa* best = nullptr;
  for (const auto& pike : prev.ike_sas) {
    if (pike.name != ike.name) continue;
    for (const auto& pc : pike.child_sas) {
      if (pc.name != c.name || pc.reqid != c.reqid) continue;
      if (pc.spi_in == c.spi_in && pc.spi_out == c.spi_out) return &pc;
      if (pc.state == "INSTALLED" && (!best || pc.uniqueid > best->uniqueid)) best = &pc;
    }
  }
  return best;
}

}  // namespace

std::vector<Finding> CheckIpsecTrafficOneWay(const Facts& facts, const Snapshot& s, const Snapshot* prev) {
  if (!ViciOk(s)) return {};
  constexpr std::uint64_t kMinPackets = 3;  // one lost ping is not a pattern
  constexpr std::uint64_t kRecent = 60;     // seconds
  constexpr std::uint64_t kGap = 60;        // "much older"
  constexpr std::uint64_t kSettle = 30;     // a fresh SA gets this long to see a reply
  std::vector<Finding> out;
  for (const auto& a : facts.ipsec_children()) {
    const ChildSa& c = *a.child;
    Finding f{.id = "ipsec.traffic.one-way", .subject = ConnectionSubject(s, a.ike->name)};
    f.remedy = fmt::format(
        "Look at the side that stays flat. Outbound only: the peer does not get or cannot decrypt "
        "our ESP (its policy or NAT, ESP/UDP 4500 filtered: `tcpdump -ni any esp or udp port "
        "4500`), or its replies are not routed into its tunnel. Inbound only: our replies miss the "
        "policy (source NAT, see ipsec.nat.snat-before-policy) or are routed elsewhere (`ip route "
        "get HOST`). {}, twice, and `ip -s xfrm state`",
        VerifySa(a.ike->name));
    std::uint64_t din = 0, dout = 0, pin = 0, pout = 0;
    const ChildSa* pc = prev ? PreviousChild(*prev, *a.ike, c) : nullptr;
    if (pc) {
      // Counters restart with every rekey (new SPI, new uniqueid): then the
      // new SA's counters are what happened since, never a negative delta.
      bool reset = pc->spi_in != c.spi_in || pc->spi_out != c.spi_out ||
                   pc->uniqueid != c.uniqueid || c.bytes_in < pc->bytes_in ||
                   c.bytes_out < pc->bytes_out || c.packets_in < pc->packets_in ||
                   c.packets_out < pc->packets_out;
      din = reset ? c.bytes_in : c.bytes_in - pc->bytes_in;
      dout = reset ? c.bytes_out : c.bytes_out - pc->bytes_out;
      pin = reset ? c.packets_in : c.packets_in - pc->packets_in;
      pout = reset ? c.packets_out : c.packets_out - pc->packets_out;
      std::int64_t w = WindowSeconds(s, *prev);
      std::string note = reset ? " (rekeyed in between: counted since the rekey)" : "";
      f.evidence.push_back({fmt::format("CHILD SA {} in the last {} s{}", c.name, w, note),
                            fmt::format("in +{} ({} packets), out +{} ({} packets)",
                                        FormatBytes(din), pin, FormatBytes(dout), pout),
                            "both directions rising"});
      if (pout >= kMinPackets && pin == 0) {
        f.severity = Severity::kCritical;
        f.weight = 50;
        f.message = fmt::format(
            "CHILD SA {} sent {} packets in {} s and received none: traffic "
            "goes out through the tunnel but nothing comes back",
            c.name, pout, w);
      } else if (pin >= kMinPackets && pout == 0) {
        f.severity = Severity::kCritical;
        f.weight = 50;
        f.message = fmt::format(
            "CHILD SA {} received {} packets in {} s and sent none: the "
            "replies do not leave through the tunnel",
            c.name, pin, w);
      } else {
        continue;
      }
      out.push_back(std::move(f));
      continue;
    }
    // One sample only: the SA's own idle times (use-in/use-out).
    f.evidence.push_back(
        {fmt::format("CHILD SA {} last packet", c.name),
         fmt::format("in {}, out {}", c.use_in ? fmt::format("{} s ago", *c.use_in) : "never",
                     c.use_out ? fmt::format("{} s ago", *c.use_out) : "never"),
         "both recent"});
    f.evidence.push_back(
        {"bytes since the SA was installed",
         fmt::format("in {} ({} packets), out {} ({} packets)", FormatBytes(c.bytes_in),
                     c.packets_in, FormatBytes(c.bytes_out), c.packets_out),
         "both non-zero"});
    bool settled = !c.install_time || *c.install_time >= kSettle;
    auto one_way = [&](const std::optional<std::uint64_t>& live,
                       const std::optional<std::uint64_t>& dead, std::uint64_t dead_bytes,
                       std::uint64_t live_packets) -> int {
      if (!live || *live > kRecent) return 0;
      if (!dead && dead_bytes == 0 && live_packets >= kMinPackets && settled) return 2;  // never
      if (!dead || *dead >= *live + kGap) return 1;
      return 0;
    };
    int outbound = one_way(c.use_out, c.use_in, c.bytes_in, c.packets_out);
    int inbound = one_way(c.use_in, c.use_out, c.bytes_out, c.packets_in);
    if (outbound) {
      f.severity = outbound == 2 ? Severity::kCritical : Severity::kWarning;
      f.weight = outbound == 2 ? 50 : 40;
      f.message =
          outbound == 2
              ? fmt::format(
                    "CHILD SA {} sends ({} packets, last {} s ago) but has never "
                    "received a packet",
                    c.name, c.packets_out, *c.use_out)
              : fmt::format("CHILD SA {} sent {} s ago but last received {}", c.name, *c.use_out,
                            c.use_in ? fmt::format("{} s ago", *c.use_in) : "never");
    } else if (inbound) {
      f.severity = inbound == 2 ? Severity::kCritical : Severity::kWarning;
      f.weight = inbound == 2 ? 50 : 40;
      f.message =
          inbound == 2
              ? fmt::format(
                    "CHILD SA {} receives ({} packets, last {} s ago) but has never "
                    "sent a packet: the replies do not leave through the tunnel",
                    c.name, c.packets_in, *c.use_in)
              : fmt::format("CHILD SA {} received {} s ago but last sent {}", c.name, *c.use_in,
                            c.use_out ? fmt::format("{} s ago", *c.use_out) : "never");
    } else {
      continue;
    }
    out.push_back(std::move(f));
  }
  return out;
}


namespace {

constexpr Rule kIpsecRules[] = {
    {"ipsec.daemon.unreachable", Family::kIpsec,
     "strongSwan's VICI socket cannot be reached or read", CheckIpsecDaemonUnreachable},
    {"ipsec.ike.down", Family::kIpsec, "a configured connection has no established IKE SA",
     CheckIpsecIkeDown},
    {"ipsec.ike.duplicate", Family::kIpsec, "more than one IKE SA with the same peer",
     CheckIpsecIkeDuplicate},
    {"ipsec.child.missing", Family::kIpsec, "IKE SA up, a configured CHILD SA not INSTALLED",
     CheckIpsecChildMissing},
    {"ipsec.traffic.one-way", Family::kIpsec, "a CHILD SA carries traffic in one direction only",
     CheckIpsecTrafficOneWay},
    {"ipsec.nat.snat-before-policy", Family::kIpsec,
     "source NAT catches traffic to a remote selector without an IPsec exemption",
     CheckIpsecSnatBeforePolicy},
    {"ipsec.nat.no-encap", Family::kIpsec, "NAT between the peers, ESP not UDP-encapsulated",
     CheckIpsecNoEncap},
    {"ipsec.policy.missing", Family::kIpsec, "SA installed, kernel XFRM policy or state absent",
     CheckIpsecPolicyMissing},
    {"ipsec.route.missing", Family::kIpsec, "remote selector not routed into the tunnel",
     CheckIpsecRouteMissing},
    {"ipsec.vti.down", Family::kIpsec, "SA installed, VTI/XFRM interface down or absent",
     CheckIpsecVtiDown},
    {"ipsec.mtu", Family::kIpsec, "packets too big after encapsulation (XfrmOutStateModeError)",
     CheckIpsecMtu},
    {"ipsec.probe.no-reply", Family::kIpsec,
     "probe: echoes through an INSTALLED CHILD SA get no reply", CheckIpsecProbeNoReply},
};

}  // namespace

std::span<const Rule> IpsecRules() { return kIpsecRules; }

}  // namespace edgediag::plugin


// The ipsec.* catalogue, and the rules on the SAs themselves: the daemon,
// IKE and CHILD SAs, and their traffic. Ids are API: add, never rename.
// Sources: strongSwan's VICI protocol (list-conns / list-sas) and
// ike_sa.h / child_sa.h states; the data-path rules are in
// rules_ipsec_path.cc.
#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <set>
#include <tuple>

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
  const IpsecConnection* conn = FindConnection(s, subject.id);
  if (!up && conn && !conn->children.empty() &&
      std::all_of(conn->children.begin(), conn->children.end(), IsShunt)) {
    // A shunt is a policy, never a tunnel: shown as what it is.
    std::vector<std::string> what;
    for (const auto& cc : conn->children) {
      bool pass = cc.mode == "PASS" || cc.mode == "pass";
      const IpsecPolicy* p = InstalledPolicy(s, conn->name, cc.name);
      std::string ts = fmt::format("{} === {}", Join(cc.local_ts, ","), Join(cc.remote_ts, ","));
      what.push_back(fmt::format("{} {} ({})", pass ? "pass" : "drop", cc.name, ts));
      f.evidence.push_back({fmt::format("{} shunt {}", pass ? "pass (bypass)" : "drop", cc.name),
                            s.ipsec_policies.empty() && !p ? ts
                            : p                             ? fmt::format("installed: {}", ts)
                                                            : "not listed by charon",
                            "a policy, no SA by design"});
    }
    f.message = fmt::format(
        "shunt policies, not tunnels: {}; traffic there {} IPsec by design",
        Join(what, "; "),
        std::any_of(conn->children.begin(), conn->children.end(),
                    [](const ChildConfig& cc) { return cc.mode == "PASS" || cc.mode == "pass"; })
            ? "bypasses (pass) or is dropped by"
            : "is dropped by");
    return f;
  }
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
  auto errors = XfrmErrorDeltas(s, prev);
  for (const auto& c : s.ipsec_connections) {
    auto ikes = IkesOf(s, c.name);
    if (std::any_of(ikes.begin(), ikes.end(), [](const IkeSa* i) { return IkeUp(*i); })) continue;
    // Pass/drop shunts have no IKE SA by design (IpsecOk shows them).
    if (!c.children.empty() && std::all_of(c.children.begin(), c.children.end(), IsShunt))
      continue;
    std::string remote = RemoteOf(s, c);
    StartAction start = ConnectionStart(s, c);
    Finding f{.id = "ipsec.ike.down", .subject = ConnectionSubject(s, c.name)};
    // Up at the earlier point (or torn down during the window), and a new
    // IKE SA under way now: a reauthentication (break-before-make) or a
    // reconnect in progress, not a tunnel down. Still down next time is.
    bool was_up = false;
    if (prev)
      for (const IkeSa* p : IkesOf(*prev, c.name)) was_up = was_up || IkeUp(*p);
    for (const auto& e : s.ipsec_events)
      if (e.ike == c.name && e.event == "ike-updown") was_up = true;
    const IkeSa* coming = nullptr;
    for (const IkeSa* i : ikes)
      if (i->state == "CONNECTING" || i->state == "CREATED" || i->state == "DELETING" ||
          i->state == "DESTROYING")
        coming = i;
    // An instant with no IKE SA at all (between a break-before-make
    // deletion and its successor) is not told apart from a tunnel that
    // just died: that would delay every real alarm by one run.
    if (was_up && coming) {
      f.severity = Severity::kInfo;
      f.weight = 15;
      std::string seen = coming ? fmt::format("{} (uniqueid {})", coming->state, coming->uniqueid)
                                : "none for the moment";
      f.message = fmt::format(
          "the IKE SA with {} is being re-established ({}): it was up at the previous sample; "
          "a reauthentication or reconnect in progress",
          remote, seen);
      f.evidence.push_back({"IKE SA", seen, "ESTABLISHED"});
      f.remedy = fmt::format("Nothing to do if it is up on the next run. {}", VerifySa(c.name));
      out.push_back(std::move(f));
      continue;
    }
    std::string seen =
        ikes.empty() ? "none"
                     : fmt::format("{} (uniqueid {})", ikes.front()->state, ikes.front()->uniqueid);
    f.evidence.push_back({"IKE SA", seen, "ESTABLISHED"});
    const char* action = start == StartAction::kStart  ? "start"
                         : start == StartAction::kTrap ? "trap (on demand)"
                         : start == StartAction::kNone ? "none (respond only)"
                                                       : "not reported by charon";
    f.evidence.push_back({"start_action", action, "—"});
    // Every configured child, each with what charon has for it.
    for (const auto& cc : c.children) {
      if (IsShunt(cc)) continue;
      const IpsecPolicy* p = InstalledPolicy(s, c.name, cc.name);
      f.evidence.push_back(
          {fmt::format("CHILD SA {} ({} === {})", cc.name, Join(cc.local_ts, ","),
                       Join(cc.remote_ts, ",")),
           p ? "no SA; trap policy installed (waits for traffic)" : "no SA", "INSTALLED"});
    }
    if (errors && errors->in_no_states > 0) {
      // The peer still sends ESP for SAs this side no longer has.
      f.evidence.push_back({"XfrmInNoStates (host-wide)",
                            fmt::format("+{}: ESP arrives for SAs that are gone", errors->in_no_states),
                            "not rising"});
      f.weight += 5;
    }
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
    // A make-before-break reauthentication keeps the old SA ESTABLISHED
    // until the new one is up, then deletes it: a newcomer younger than
    // this is that overlap. A real duplicate is still there next time.
    constexpr std::uint64_t kReauthOverlap = 30;
    if (std::any_of(g.begin(), g.end(), [](const IkeSa* i) {
          return i->established && *i->established < kReauthOverlap;
        }))
      continue;
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
      if (IsShunt(cc)) continue;  // a policy, never an SA
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
      if (const IpsecPolicy* p = InstalledPolicy(s, c.name, cc.name))
        f.evidence.push_back({"trap policy (list-policies)",
                              fmt::format("installed ({} === {})", Join(p->local_ts, ","),
                                          Join(p->remote_ts, ",")),
                              "—"});
      auto errors = XfrmErrorDeltas(s, prev);
      if (errors && errors->in_no_states > 0)
        f.evidence.push_back(
            {"XfrmInNoStates (host-wide)",
             fmt::format("+{}: ESP arrives for SAs that are gone", errors->in_no_states),
             "not rising"});
      if (errors && errors->out_pol_block > 0)
        f.evidence.push_back(
            {"XfrmOutPolBlock (host-wide)",
             fmt::format("+{}: outbound packets hit a drop policy", errors->out_pol_block),
             "not rising"});
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
          // A trap installed and no SA is normal until traffic arrives.
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

// What a CHILD flowed over the window, followed across rekeys: every SA of
// the connection with the child's name and reqid (reqids survive rekeys),
// matched to the previous sample by inbound SPI. An SA new since then
// counts whole; an SA gone since then (deleted after a rekey) is lost, so
// the sum can only undercount, and both directions alike.
struct Flow {
  std::uint64_t din = 0, dout = 0, pin = 0, pout = 0;
  bool rekeyed = false;
  std::optional<std::uint64_t> youngest;  ///< install_time of the newest SA
};

Flow FlowSince(const Snapshot& s, const Snapshot& prev, const std::string& conn,
               const ChildSa& c) {
  Flow f;
  std::set<std::string> now_spis;
  auto same = [&](const ChildSa& x) { return x.name == c.name && x.reqid == c.reqid; };
  for (const IkeSa* ike : IkesOf(s, conn))
    for (const auto& sa : ike->child_sas) {
      if (!same(sa) || sa.spi_in.empty()) continue;
      now_spis.insert(sa.spi_in);
      if (sa.install_time && (!f.youngest || *sa.install_time < *f.youngest))
        f.youngest = sa.install_time;
      const ChildSa* before = nullptr;
      for (const IkeSa* pike : IkesOf(prev, conn))
        for (const auto& psa : pike->child_sas)
          if (same(psa) && psa.spi_in == sa.spi_in) before = &psa;
      if (before && sa.bytes_in >= before->bytes_in && sa.bytes_out >= before->bytes_out &&
          sa.packets_in >= before->packets_in && sa.packets_out >= before->packets_out) {
        f.din += sa.bytes_in - before->bytes_in;
        f.dout += sa.bytes_out - before->bytes_out;
        f.pin += sa.packets_in - before->packets_in;
        f.pout += sa.packets_out - before->packets_out;
      } else {
        f.rekeyed = true;
        f.din += sa.bytes_in;
        f.dout += sa.bytes_out;
        f.pin += sa.packets_in;
        f.pout += sa.packets_out;
      }
    }
  for (const IkeSa* pike : IkesOf(prev, conn))
    for (const auto& psa : pike->child_sas)
      if (same(psa) && !now_spis.count(psa.spi_in)) f.rekeyed = true;
  return f;
}

// charon said so during the --sample window (child-rekey, child-updown).
bool RekeyedInWindow(const Snapshot& s, const std::string& conn, const std::string& child) {
  return std::any_of(s.ipsec_events.begin(), s.ipsec_events.end(), [&](const IpsecEvent& e) {
    return e.ike == conn && (e.child == child || e.event == "ike-updown") &&
           e.event != "ike-rekey";
  });
}

// Outbound only, and the kernel counts inbound ESP it throws away: then the
// peer's packets do arrive, and why they are dropped is the cause.
void AddInboundErrors(Finding& f, const Snapshot& s, const Snapshot* prev) {
  auto e = XfrmErrorDeltas(s, prev);
  if (!e) return;
  if (e->in_state_proto_error > 0) {
    f.weight += 20;
    f.message += fmt::format(
        "; the kernel rejected {} inbound ESP packets that failed to decrypt "
        "(XfrmInStateProtoError): the two sides' keys or SPIs differ",
        e->in_state_proto_error);
    f.evidence.push_back({"XfrmInStateProtoError (host-wide)",
                          fmt::format("+{}", e->in_state_proto_error), "not rising"});
  }
  if (e->in_state_seq_error + e->in_state_expired > 0) {
    f.weight += 10;
    f.message += fmt::format(
        "; {} inbound ESP packets fell outside the replay window or an SA's lifetime "
        "(XfrmInStateSeqError/XfrmInStateExpired)",
        e->in_state_seq_error + e->in_state_expired);
    f.evidence.push_back({"XfrmInStateSeqError + XfrmInStateExpired (host-wide)",
                          fmt::format("+{} + {}", e->in_state_seq_error, e->in_state_expired),
                          "not rising"});
  }
  if (e->in_no_states > 0) {
    f.weight += 5;
    f.evidence.push_back({"XfrmInNoStates (host-wide)",
                          fmt::format("+{}: ESP for an SA this side does not have",
                                      e->in_no_states),
                          "not rising"});
  }
}

}  // namespace

std::vector<Finding> CheckIpsecTrafficOneWay(const Facts& facts, const Snapshot& s, const Snapshot* prev) {
  if (!ViciOk(s)) return {};
  constexpr std::uint64_t kMinPackets = 3;  // one lost ping is not a pattern
  constexpr std::uint64_t kRecent = 60;     // seconds
  constexpr std::uint64_t kGap = 60;        // "much older"
  constexpr std::uint64_t kSettle = 30;     // a fresh SA gets this long to see a reply
  constexpr std::uint64_t kRekeySettle = 5;  // seconds
  std::vector<Finding> out;
  std::set<std::tuple<std::string, std::string, std::uint32_t>> followed;
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
    const ChildSa* pc = prev ? PreviousChild(*prev, *a.ike, c) : nullptr;
    if (pc) {
      if (!followed.insert({a.ike->name, c.name, c.reqid}).second) continue;
      Flow flow = FlowSince(s, *prev, a.ike->name, c);
      std::uint64_t din = flow.din, dout = flow.dout, pin = flow.pin, pout = flow.pout;
      bool reset = flow.rekeyed || RekeyedInWindow(s, a.ike->name, c.name);
      // A CHILD SA replaced seconds ago has not seen the peer switch to it
      // yet (the old inbound SA lingers): too early to judge one way.
      if (reset && flow.youngest && *flow.youngest < kRekeySettle) continue;
      std::int64_t w = WindowSeconds(s, *prev);
      std::string note =
          reset ? " (rekeyed in between: followed by name and reqid across the SAs)" : "";
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
        AddInboundErrors(f, s, prev);
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
    // One sample only: the SA's own idle times (use-in/use-out). An SA
    // younger than kSettle is judged with the other SAs of its CHILD (name
    // and reqid, in any IKE SA of the connection): mid-rekey, or in a
    // make-before-break reauthentication, the peer keeps sending on the old
    // SA for a while, and the new one alone looks one-way.
    std::optional<std::uint64_t> use_in = c.use_in, use_out = c.use_out;
    std::uint64_t all_bytes_in = c.bytes_in, all_bytes_out = c.bytes_out;
    int siblings = 0;
    if (c.install_time && *c.install_time < kSettle) {
      auto latest = [](std::optional<std::uint64_t>& into, const std::optional<std::uint64_t>& v) {
        if (v && (!into || *v < *into)) into = v;
      };
      for (const IkeSa* ike : IkesOf(s, a.ike->name))
        for (const auto& sa : ike->child_sas) {
          if (sa.name != c.name || sa.reqid != c.reqid || sa.spi_in == c.spi_in) continue;
          ++siblings;
          latest(use_in, sa.use_in);
          latest(use_out, sa.use_out);
          all_bytes_in += sa.bytes_in;
          all_bytes_out += sa.bytes_out;
        }
    }
    f.evidence.push_back(
        {fmt::format("CHILD SA {} last packet{}", c.name,
                     siblings ? " (with the SA it replaces)" : ""),
         fmt::format("in {}, out {}", use_in ? fmt::format("{} s ago", *use_in) : "never",
                     use_out ? fmt::format("{} s ago", *use_out) : "never"),
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
      // A CHILD SA fresh from a rekey: the peer may still send on the old
      // one for a moment (make-before-break), so silence means nothing yet.
      if (c.install_time && *c.install_time < kRekeySettle) return 0;
      if (!dead && dead_bytes == 0 && live_packets >= kMinPackets && settled) return 2;  // never
      if (!dead || *dead >= *live + kGap) return 1;
      return 0;
    };
    int outbound = one_way(use_out, use_in, all_bytes_in, c.packets_out);
    int inbound = one_way(use_in, use_out, all_bytes_out, c.packets_in);
    if (outbound) {
      f.severity = outbound == 2 ? Severity::kCritical : Severity::kWarning;
      f.weight = outbound == 2 ? 50 : 40;
      f.message =
          outbound == 2
              ? fmt::format(
                    "CHILD SA {} sends ({} packets, last {} s ago) but has never "
                    "received a packet",
                    c.name, c.packets_out, *use_out)
              : fmt::format("CHILD SA {} sent {} s ago but last received {}", c.name, *use_out,
                            use_in ? fmt::format("{} s ago", *use_in) : "never");
    } else if (inbound) {
      f.severity = inbound == 2 ? Severity::kCritical : Severity::kWarning;
      f.weight = inbound == 2 ? 50 : 40;
      f.message =
          inbound == 2
              ? fmt::format(
                    "CHILD SA {} receives ({} packets, last {} s ago) but has never "
                    "sent a packet: the replies do not leave through the tunnel",
                    c.name, c.packets_in, *use_in)
              : fmt::format("CHILD SA {} received {} s ago but last sent {}", c.name, *use_in,
                            use_out ? fmt::format("{} s ago", *use_out) : "never");
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
    {"ipsec.mtu", Family::kIpsec,
     "packets too big for the tunnel: XfrmOutStateModeError rising, or --probe's DF echoes lost "
     "above a size while small ones pass",
     CheckIpsecMtu},
    {"ipsec.probe.no-reply", Family::kIpsec,
     "probe: echoes through an INSTALLED CHILD SA get no reply", CheckIpsecProbeNoReply},
    {"ipsec.ike.flapping", Family::kIpsec,
     "an IKE SA re-established 3 times in 10 s during --sample (charon's events)",
     CheckIpsecIkeFlapping},
    {"ipsec.ts.narrowed", Family::kIpsec,
     "a CHILD SA installed with fewer subnets than its configured selectors",
     CheckIpsecTsNarrowed},
};

}  // namespace

std::span<const Rule> IpsecRules() { return kIpsecRules; }

}  // namespace edgediag::plugin


// The ipsec.* catalogue: strongSwan (VICI list-conns / list-sas) against the
// kernel (XFRM, routes, nftables NAT, /proc/net/xfrm_stat). Ids are API:
// add, never rename. Sources: FACTS.md "strongSwan VICI" and "Tunnel up, no
// traffic"; strongSwan docs howtos/forwarding ("General NAT problems").
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <map>
#include <regex>
#include <set>

#include "plugin/prefix_trie.h"
#include "plugin/rules.h"
#include "plugin/vpn_rules.h"

namespace edgediag::plugin {

// ---------------------------------------------------------------------------
// Shared VPN helpers (declared in vpn_rules.h).

Subject HostSubject(const Snapshot& s) {
  return {SubjectKind::kHost, s.hostname.empty() ? "localhost" : s.hostname, "", "", ""};
}

std::optional<std::uint64_t> CounterValue(const Snapshot& s, std::string_view name) {
  for (const auto* m : {&s.counters.xfrm_stat, &s.counters.tcp_ext, &s.counters.ip_ext}) {
    auto it = m->find(std::string(name));
    if (it != m->end()) return it->second;
  }
  return std::nullopt;
}

std::optional<std::uint64_t> CounterDelta(const Snapshot& now, const Snapshot* previous,
                                          std::string_view name) {
  if (!previous) return std::nullopt;
  auto a = CounterValue(*previous, name);
  auto b = CounterValue(now, name);
  if (!a || !b) return std::nullopt;
  return *b >= *a ? *b - *a : *b;
}

std::int64_t WindowSeconds(const Snapshot& now, const Snapshot& previous) {
  return std::max<std::int64_t>(1, (now.taken_at_ms - previous.taken_at_ms) / 1000);
}

bool IsPrivateAddress(const Prefix& p) {
  const auto& b = p.bytes;
  if (p.family == 4)
    return b[0] == 10 || (b[0] == 172 && (b[1] & 0xf0) == 16) || (b[0] == 192 && b[1] == 168) ||
           (b[0] == 100 && (b[1] & 0xc0) == 64);
  return p.family == 6 && (b[0] & 0xfe) == 0xfc;
}

namespace {

std::string Integer(std::int64_t v, std::string_view unit) {
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof(buf), v);
  std::string out(buf, r.ptr);
  out += unit;
  return out;
}

}  // namespace

std::string FormatBytes(std::uint64_t n) {
  if (n < 1024) return Integer(static_cast<std::int64_t>(n), " B");
  // n / 2^k is exact in a double below 2^53 bytes, and fmt rounds the
  // exact value half to even, as printf does.
  if (n < 1024 * 1024) return fmt::format("{:.1f} KiB", static_cast<double>(n) / 1024);
  if (n < 1024ull * 1024 * 1024)
    return fmt::format("{:.1f} MiB", static_cast<double>(n) / (1 << 20));
  return fmt::format("{:.1f} GiB", static_cast<double>(n) / (1 << 30));
}

std::string FormatAge(std::int64_t s) {
  if (s < 120) return Integer(s, " s");
  if (s < 2 * 3600) return Integer(s / 60, " min");
  if (s < 2 * 86400) return Integer(s / 3600, " h");
  return Integer(s / 86400, " days");
}

std::string SampleHost(const Prefix& p) {
  Prefix h = p.Network();
  h.len = h.MaxLen();
  if (p.len < p.MaxLen() - 1) {  // skip the network address where there is room
    int last = p.family == 6 ? 15 : 3;
    h.bytes[last] |= 1;
  }
  return h.Address();
}

namespace {

// ---------------------------------------------------------------------------
// The model, read the way the rules need it.

// IKE SAs that protect traffic. REKEYING is the old SA while its successor
// is negotiated: still valid (strongSwan ike_sa.h, ike_sa_state_t).
bool IkeUp(const IkeSa& ike) { return ike.state == "ESTABLISHED" || ike.state == "REKEYING"; }

// CHILD SAs present in the kernel. REKEYING/REKEYED are the old SA beside its
// replacement; UPDATING a MOBIKE address change (child_sa.h, child_sa_state_t).
bool ChildPresent(const ChildSa& c) {
  return c.state == "INSTALLED" || c.state == "REKEYING" || c.state == "UPDATING";
}

/// A traffic selector ("10.1.0.0/16", "10.1.0.0/16[tcp/443]"); ranges and
/// "dynamic" are not prefixes and are skipped.
std::optional<Prefix> ParseTs(std::string_view ts) {
  auto bracket = ts.find('[');
  if (bracket != std::string_view::npos) ts = ts.substr(0, bracket);
  auto p = ParsePrefix(ts);
  if (!p) return std::nullopt;
  return p->Network();
}

std::vector<Prefix> Selectors(const std::vector<std::string>& ts) {
  std::vector<Prefix> out;
  for (const auto& t : ts)
    if (auto p = ParseTs(t)) out.push_back(*p);
  return out;
}

std::string Join(const std::vector<std::string>& v, std::string_view sep = ", ") {
  return fmt::format("{}", fmt::join(v, sep));
}

std::string TsText(const ChildSa& c) {
  return fmt::format("{} === {}", Join(c.local_ts, ","), Join(c.remote_ts, ","));
}

std::optional<std::uint32_t> ParseSpi(const std::string& hex) {
  std::uint32_t v = 0;
  std::string_view h = hex;
  if (h.rfind("0x", 0) == 0) h.remove_prefix(2);
  auto [ptr, ec] = std::from_chars(h.data(), h.data() + h.size(), v, 16);
  if (h.empty() || ec != std::errc() || ptr != h.data() + h.size()) return std::nullopt;
  return v;
}

const IpsecConnection* FindConnection(const Snapshot& s, std::string_view name) {
  for (const auto& c : s.ipsec_connections)
    if (c.name == name) return &c;
  return nullptr;
}

std::vector<const IkeSa*> IkesOf(const Snapshot& s, std::string_view name) {
  std::vector<const IkeSa*> out;
  for (const auto& ike : s.ike_sas)
    if (ike.name == name) out.push_back(&ike);
  return out;
}

std::string RemoteOf(const Snapshot& s, const IpsecConnection& c) {
  for (const IkeSa* ike : IkesOf(s, c.name))
    if (!ike->remote_host.empty()) return ike->remote_host;
  return c.remote_addrs.empty() ? "the peer" : Join(c.remote_addrs, ",");
}

// When a CHILD SA is established (start_action). list-conns reports it from
// strongSwan 6.0 on; 5.9 (VyOS 1.4) leaves it out, so a trap is recognised
// by its kernel footprint instead: an outbound policy with a reqid and no SA.
enum class StartAction { kStart, kTrap, kNone, kUnknown };

StartAction Declared(const ChildConfig& c) {
  if (c.start_action.find("start") != std::string::npos) return StartAction::kStart;
  if (c.start_action.find("trap") != std::string::npos) return StartAction::kTrap;
  if (c.start_action == "none") return StartAction::kNone;
  return StartAction::kUnknown;
}

bool Trapped(const Snapshot& s, const ChildConfig& c) {
  if (s.Source(kSourceXfrm).state != SourceState::kOk) return false;
  auto local = Selectors(c.local_ts), remote = Selectors(c.remote_ts);
  if (local.empty() || remote.empty()) return false;
  for (const auto& pol : s.xfrm_policies) {
    if (pol.dir != "out" || pol.reqid == 0) continue;
    auto src = ParsePrefix(pol.src), dst = ParsePrefix(pol.dst);
    if (!src || !dst || !(src->Network() == local.front()) || !(dst->Network() == remote.front()))
      continue;
    bool has_state = std::any_of(s.xfrm_states.begin(), s.xfrm_states.end(),
                                 [&](const XfrmState& x) { return x.reqid == pol.reqid; });
    if (!has_state) return true;
  }
  return false;
}

StartAction StartOf(const Snapshot& s, const ChildConfig& c) {
  StartAction a = Declared(c);
  if (a == StartAction::kUnknown && Trapped(s, c)) return StartAction::kTrap;
  return a;
}

StartAction ConnectionStart(const Snapshot& s, const IpsecConnection& c) {
  bool unknown = false, trap = false;
  for (const auto& child : c.children) {
    switch (StartOf(s, child)) {
      case StartAction::kStart:
        return StartAction::kStart;
      case StartAction::kUnknown:
        unknown = true;
        break;
      case StartAction::kTrap:
        trap = true;
        break;
      case StartAction::kNone:
        break;
    }
  }
  if (unknown || c.children.empty()) return StartAction::kUnknown;
  return trap ? StartAction::kTrap : StartAction::kNone;
}

// Packets that hit an IPsec policy without an SA (a trap waiting for its
// IKE SA, or a policy whose SA is gone). Host-wide, so only a hint.
std::optional<std::uint64_t> PacketsWaiting(const Snapshot& s, const Snapshot* prev) {
  auto d = CounterDelta(s, prev, "XfrmOutNoStates");
  if (d && *d > 0) return d;
  return std::nullopt;
}

/// The connection's reset command on VyOS and its initiate on Linux.
std::string Reinitiate(const IpsecConnection* c, std::string_view name, std::string_view child) {
  return fmt::format(
      "VyOS `reset vpn ipsec site-to-site peer {0}`; Linux `swanctl --initiate "
      "--child {1}`",
      name,
      child.empty() ? (c && !c->children.empty() ? c->children[0].name : "CHILD")
                    : std::string(child));
}

std::string VerifySa(std::string_view name) {
  return fmt::format("Verify: VyOS `show vpn ipsec sa`; Linux `swanctl --list-sas --ike {}`", name);
}

// ---------------------------------------------------------------------------
// Tunnel interfaces: route-based CHILD SAs carry an interface id (if_id) and
// are reached through the XFRM interface with that id (or a VTI).

bool IsTunnelKind(const Interface& i) {
  return i.kind == "xfrm" || i.kind == "vti" || i.kind == "vti6";
}

std::optional<std::uint32_t> IfIdOf(const ChildSa& c, const IpsecConnection* conn, bool inbound) {
  auto v = inbound ? c.if_id_in : c.if_id_out;
  if (v && *v != 0) return v;
  if (conn) {
    auto w = inbound ? conn->if_id_in : conn->if_id_out;
    if (w && *w != 0) return w;
  }
  return std::nullopt;
}

// The interface for an if_id. IFLA_XFRM_IF_ID when the collector filled it;
// otherwise VyOS's naming of vtiN, which has been "if_id N+1" since 2024 and
// "if_id N" before (vyos-1x python/vyos/ifconfig/vti.py).
const Interface* InterfaceForIfId(const Snapshot& s, std::uint32_t if_id) {
  bool any_known = false;
  for (const auto& i : s.interfaces) {
    if (!IsTunnelKind(i) || !i.if_id) continue;
    any_known = true;
    if (*i.if_id == if_id) return &i;
  }
  if (any_known) return nullptr;
  for (std::uint32_t shift : {1u, 0u}) {
    for (const auto& i : s.interfaces) {
      if (i.kind != "xfrm" || i.name.rfind("vti", 0) != 0) continue;
      std::uint32_t n = 0;
      auto digits = std::string_view(i.name).substr(3);
      auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
      if (ec == std::errc() && ptr == digits.data() + digits.size() && !digits.empty() &&
          n + shift == if_id)
        return &i;
    }
  }
  return nullptr;
}

struct Tunnel {
  bool route_based = false;
  std::optional<std::uint32_t> if_id;
  const Interface* iface = nullptr;  ///< the XFRM/VTI interface, when known
};

Tunnel TunnelOf(const Snapshot& s, const RouteIndex& routes, const IpsecConnection* conn,
                const ChildSa& c) {
  Tunnel t;
  t.if_id = IfIdOf(c, conn, false);
  if (t.if_id) {
    t.route_based = true;
    t.iface = InterfaceForIfId(s, *t.if_id);
    return t;
  }
  // A classic VTI (marks, no if_id): the remote selector is routed into it.
  for (const auto& r : Selectors(c.remote_ts)) {
    if (r.len == 0) continue;
    for (const Route* route : routes.LookupAllTables(r)) {
      const Interface* i = s.FindInterface(route->dev);
      if (i && IsTunnelKind(*i)) {
        t.route_based = true;
        t.iface = i;
        return t;
      }
    }
  }
  return t;
}

struct ActiveChild {
  const IkeSa* ike;
  const ChildSa* child;
  const IpsecConnection* conn;  ///< may be null: an SA whose config is gone
};

// INSTALLED CHILD SAs of established IKE SAs: the ones that carry traffic.
std::vector<ActiveChild> InstalledChildren(const Snapshot& s) {
  std::vector<ActiveChild> out;
  for (const auto& ike : s.ike_sas) {
    if (!IkeUp(ike)) continue;
    for (const auto& c : ike.child_sas)
      if (c.state == "INSTALLED") out.push_back({&ike, &c, FindConnection(s, ike.name)});
  }
  return out;
}

bool ViciOk(const Snapshot& s) { return s.Source(kSourceVici).state == SourceState::kOk; }
bool KernelOk(const Snapshot& s) { return s.Source(kSourceKernel).state == SourceState::kOk; }

// ---------------------------------------------------------------------------
// Source NAT against the IPsec policy (ipsec.nat.snat-before-policy).

bool FamilyMatches(const NatRule& r, int family) {
  if (r.family == "ip") return family == 4;
  if (r.family == "ip6") return family == 6;
  return true;  // inet, or unknown
}

bool OifMatches(const std::string& pattern, const std::string& oif) {
  if (pattern.empty() || oif.empty()) return true;  // unknown egress: assume it applies
  if (pattern.back() == '*') return oif.rfind(pattern.substr(0, pattern.size() - 1), 0) == 0;
  return pattern == oif;
}

// How an address match's prefixes relate to `x`: one of them contains it,
// or at least overlaps it.
struct SetRelation {
  bool contains = false, overlaps = false;
};

SetRelation Relate(const std::vector<std::string>& set, const Prefix& x) {
  SetRelation r;
  for (const auto& t : set) {
    auto p = ParsePrefix(t);
    if (!p || p->family != x.family) continue;
    if (p->Contains(x))
      r.contains = r.overlaps = true;
    else if (x.Contains(*p))
      r.overlaps = true;
  }
  return r;
}

// Does an address match (set, negated) catch some of `x`, or all of it?
bool CatchesSome(const std::vector<std::string>& set, bool negated, const Prefix& x) {
  if (set.empty()) return true;
  SetRelation r = Relate(set, x);
  return negated ? !r.contains : r.overlaps;
}

bool CoversAll(const std::vector<std::string>& set, bool negated, const Prefix& x) {
  if (set.empty()) return true;
  SetRelation r = Relate(set, x);
  return negated ? !r.overlaps : r.contains;
}

bool IsSnat(const NatRule& r) { return r.verdict == "masquerade" || r.verdict == "snat"; }
bool IsExemption(const NatRule& r) { return r.verdict == "accept" || r.verdict == "return"; }

struct NatFault {
  const NatRule* rule;
  Prefix local, remote;
  std::string oif;
};

// Walks each postrouting chain in order for traffic local -> remote leaving
// through `oif`. In the nat hook an accept ends only its own chain: a later
// base chain still runs (nf_nat_inet_fn), so an exemption counts only in the
// chain of the SNAT rule it must precede.
std::optional<NatFault> FirstNatFault(const Snapshot& s, const Prefix& local, const Prefix& remote,
                                      const std::string& oif) {
  std::vector<std::string> chains;
  std::map<std::string, std::vector<const NatRule*>> rules;
  for (const auto& r : s.nat_rules) {
    std::string hook = r.hook;
    std::transform(hook.begin(), hook.end(), hook.begin(), ::tolower);
    if (hook != "postrouting") continue;
    std::string key = r.family + " " + r.table + " " + r.chain;
    if (!rules.count(key)) chains.push_back(key);
    rules[key].push_back(&r);
  }
  for (const auto& key : chains) {
    for (const NatRule* r : rules[key]) {
      if (!FamilyMatches(*r, remote.family) || !OifMatches(r->oifname, oif)) continue;
      if (IsExemption(*r)) {
        if (r->ipsec == "missing") continue;
        if (CoversAll(r->saddr, r->saddr_negated, local) &&
            CoversAll(r->daddr, r->daddr_negated, remote))
          break;  // exempted in this chain
        continue;
      }
      if (!IsSnat(*r) || r->ipsec == "missing") continue;
      if (CatchesSome(r->saddr, r->saddr_negated, local) &&
          CatchesSome(r->daddr, r->daddr_negated, remote))
        return NatFault{r, local, remote, oif};
    }
  }
  return std::nullopt;
}

// VyOS comments its NAT rules "SRC-NAT-<number>".
std::optional<int> VyosRuleNumber(const NatRule& r) {
  static const std::regex re("SRC-NAT-([0-9]+)");
  std::smatch m;
  if (!std::regex_search(r.text, m, re)) return std::nullopt;
  return std::stoi(m[1]);
}

// A free VyOS rule number below `m`, so that the exclusion is evaluated first.
int ExclusionNumber(const Snapshot& s, int m) {
  std::set<int> used;
  for (const auto& r : s.nat_rules)
    if (auto n = VyosRuleNumber(r)) used.insert(*n);
  for (int n = m - 1; n >= 1; --n)
    if (!used.count(n)) return n;
  return std::max(1, m - 1);
}

std::string RuleText(const NatRule& r) {
  if (!r.text.empty()) return r.text;
  std::string t;
  if (!r.oifname.empty()) t += fmt::format("oifname \"{}\" ", r.oifname);
  const char* ip = r.family == "ip6" ? "ip6" : "ip";
  auto set = [](const std::vector<std::string>& v) {
    return v.size() == 1 ? v[0] : fmt::format("{{ {} }}", fmt::join(v, ", "));
  };
  if (!r.saddr.empty())
    t += fmt::format("{} saddr {}{} ", ip, r.saddr_negated ? "!= " : "", set(r.saddr));
  if (!r.daddr.empty())
    t += fmt::format("{} daddr {}{} ", ip, r.daddr_negated ? "!= " : "", set(r.daddr));
  return t + r.verdict;
}

}  // namespace

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

std::vector<Finding> CheckIpsecDaemonUnreachable(const Snapshot& s, const Snapshot*) {
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

std::vector<Finding> CheckIpsecIkeDown(const Snapshot& s, const Snapshot* prev) {
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

std::vector<Finding> CheckIpsecIkeDuplicate(const Snapshot& s, const Snapshot*) {
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

std::vector<Finding> CheckIpsecChildMissing(const Snapshot& s, const Snapshot* prev) {
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

std::vector<Finding> CheckIpsecTrafficOneWay(const Snapshot& s, const Snapshot* prev) {
  if (!ViciOk(s)) return {};
  constexpr std::uint64_t kMinPackets = 3;  // one lost ping is not a pattern
  constexpr std::uint64_t kRecent = 60;     // seconds
  constexpr std::uint64_t kGap = 60;        // "much older"
  constexpr std::uint64_t kSettle = 30;     // a fresh SA gets this long to see a reply
  std::vector<Finding> out;
  for (const auto& a : InstalledChildren(s)) {
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

std::vector<Finding> CheckIpsecSnatBeforePolicy(const Snapshot& s, const Snapshot*) {
  if (!ViciOk(s) || s.nat_rules.empty()) return {};
  SharedRoutes routes(s);
  std::vector<Finding> out;
  std::set<std::pair<std::string, const NatRule*>> reported;
  for (const auto& a : InstalledChildren(s)) {
    const ChildSa& c = *a.child;
    // Route-based tunnels match policies on the interface id, not on the
    // addresses: source NAT does not take their traffic out of the policy.
    if (TunnelOf(s, *routes, a.conn, c).route_based) continue;
    for (const auto& local : Selectors(c.local_ts)) {
      for (const auto& remote : Selectors(c.remote_ts)) {
        if (local.family != remote.family) continue;
        const Route* r = routes->Best(remote);
        auto fault = FirstNatFault(s, local, remote, r ? r->dev : "");
        if (!fault || !reported.insert({a.ike->name, fault->rule}).second) continue;
        const NatRule& n = *fault->rule;
        Finding f{.id = "ipsec.nat.snat-before-policy",
                  .severity = Severity::kCritical,
                  .subject = ConnectionSubject(s, a.ike->name),
                  .weight = 85};
        f.message = fmt::format(
            "source NAT ({} in {} {} {}) rewrites {} -> {} before IPsec: the packets no longer "
            "match CHILD SA {} and leave unencrypted",
            n.verdict, n.family, n.table, n.chain, local.ToString(), remote.ToString(), c.name);
        f.evidence = {{fmt::format("NAT rule (handle {})", n.handle), RuleText(n),
                       fmt::format("an exemption before it for {} (or `rt ipsec exists accept`)",
                                   remote.ToString())},
                      {fmt::format("CHILD SA {} selectors", c.name), TsText(c), "untranslated"}};
        const char* ip = remote.family == 6 ? "ip6" : "ip";
        std::string oif = !n.oifname.empty() ? n.oifname : fault->oif.empty() ? "IF" : fault->oif;
        std::string vyos;
        if (auto m = VyosRuleNumber(n)) {
          int e = ExclusionNumber(s, *m);
          vyos = fmt::format(
              "VyOS (rule {0} is the masquerade): `set nat source rule {1} destination address "
              "{2}`, "
              "`set nat source rule {1} source address {3}`, `set nat source rule {1} exclude`, "
              "`set nat source rule {1} outbound-interface name {4}`, `commit`",
              *m, e, remote.ToString(), local.ToString(), oif);
        } else {
          vyos = fmt::format(
              "VyOS: `set nat source rule N destination address {0}`, `set nat source rule N "
              "exclude`, `set nat source rule N outbound-interface name {1}` with N below the "
              "masquerade rule's number",
              remote.ToString(), oif);
        }
        f.remedy = fmt::format(
            "Exempt the tunnel's traffic from source NAT, before the {0} rule. {1}. nftables: `nft "
            "insert rule {2} {3} {4} position {5} {6} daddr {7} accept` (or, for every tunnel, "
            "`... "
            "rt ipsec exists accept`); iptables: `iptables -t nat -I POSTROUTING -m policy --pol "
            "ipsec --dir out -j ACCEPT`. Verify: `nft -a list chain {2} {3} {4}` shows the "
            "exemption first, and `show vpn ipsec sa` / `swanctl --list-sas` shows bytes-out "
            "rising",
            n.verdict, vyos, n.family.empty() ? "ip" : n.family, n.table, n.chain, n.handle, ip,
            remote.ToString());
        out.push_back(std::move(f));
      }
    }
  }
  return out;
}

std::vector<Finding> CheckIpsecNoEncap(const Snapshot& s, const Snapshot*) {
  if (!ViciOk(s)) return {};
  std::vector<Finding> out;
  for (const auto& ike : s.ike_sas) {
    if (!IkeUp(ike)) continue;
    std::vector<std::string> nat;
    if (ike.nat_local) nat.push_back("this router is behind NAT (nat-local)");
    if (ike.nat_remote) nat.push_back("the peer is behind NAT (nat-remote)");
    if (nat.empty() && ike.nat_fake) nat.push_back("NAT faked to force encapsulation (nat-fake)");
    if (nat.empty() && ike.nat_any) nat.push_back("NAT detected (nat-any)");
    if (nat.empty()) continue;
    for (const auto& c : ike.child_sas) {
      if (!ChildPresent(c) || c.encap) continue;
      Finding f{.id = "ipsec.nat.no-encap",
                .severity = Severity::kCritical,
                .subject = ConnectionSubject(s, ike.name),
                .weight = 80};
      f.message = fmt::format(
          "NAT sits between the peers but CHILD SA {} sends plain ESP, which "
          "NAT devices drop: UDP encapsulation (port 4500) is off",
          c.name);
      f.evidence = {{"IKE NAT detection", Join(nat, "; "), "no NAT, or ESP in UDP"},
                    {fmt::format("CHILD SA {} encapsulation", c.name), "none (raw ESP)",
                     "UDP 4500 (encap yes)"}};
      f.remedy = fmt::format(
          "Turn on UDP encapsulation: VyOS `set vpn ipsec site-to-site peer {0} "
          "force-udp-encapsulation`; strongSwan `encap = yes` in connections.{0}; let UDP 4500 "
          "through both firewalls. Verify: `ip xfrm state` shows `encap type espinudp`; VyOS `show "
          "vpn ipsec sa detail`; Linux `swanctl --list-sas --ike {0}` shows `encap`",
          ike.name);
      out.push_back(std::move(f));
    }
  }
  return out;
}

std::vector<Finding> CheckIpsecPolicyMissing(const Snapshot& s, const Snapshot* prev) {
  if (!ViciOk(s) || s.Source(kSourceXfrm).state != SourceState::kOk) return {};
  std::vector<Finding> out;
  for (const auto& a : InstalledChildren(s)) {
    const ChildSa& c = *a.child;
    auto if_id = IfIdOf(c, a.conn, false);
    auto policy = [&](const char* dir, const Prefix& src, const Prefix& dst) {
      for (const auto& p : s.xfrm_policies) {
        if (p.dir != dir || p.action == "block") continue;
        auto ps = ParsePrefix(p.src), pd = ParsePrefix(p.dst);
        if (!ps || !pd || !ps->Contains(src) || !pd->Contains(dst)) continue;
        if (p.reqid != 0 && c.reqid != 0 && p.reqid != c.reqid) continue;
        if (if_id && p.if_id && *p.if_id != *if_id) continue;
        return true;
      }
      return false;
    };
    std::vector<std::pair<std::string, std::string>> missing;  // message part, evidence
    for (const auto& l : Selectors(c.local_ts))
      for (const auto& r : Selectors(c.remote_ts)) {
        if (l.family != r.family) continue;
        if (!policy("out", l, r))
          missing.push_back({fmt::format("no outbound IPsec policy for {} === {}: traffic leaves "
                                         "unencrypted or is dropped",
                                         l.ToString(), r.ToString()),
                             fmt::format("policy out {} -> {}", l.ToString(), r.ToString())});
        if (!policy("in", r, l))
          missing.push_back({fmt::format("no inbound IPsec policy for {} === {}: decrypted packets "
                                         "are dropped",
                                         r.ToString(), l.ToString()),
                             fmt::format("policy in {} -> {}", r.ToString(), l.ToString())});
      }
    for (auto [spi_text, dir] :
         {std::pair{&c.spi_in, "inbound"}, std::pair{&c.spi_out, "outbound"}}) {
      auto spi = ParseSpi(*spi_text);
      if (!spi) continue;
      bool found = std::any_of(s.xfrm_states.begin(), s.xfrm_states.end(),
                               [&](const XfrmState& x) { return x.spi == *spi; });
      if (!found)
        missing.push_back({fmt::format("no {} SA with SPI 0x{:08x}", dir, *spi),
                           fmt::format("state {} SPI 0x{:08x}", dir, *spi)});
    }
    if (missing.empty()) continue;
    Finding f{.id = "ipsec.policy.missing",
              .severity = Severity::kCritical,
              .subject = ConnectionSubject(s, a.ike->name),
              .weight = 75};
    f.message = fmt::format("CHILD SA {} is INSTALLED in charon but the kernel has {}", c.name,
                            missing.front().first);
    for (const auto& m : missing)
      f.evidence.push_back({"kernel XFRM", "absent: " + m.second, "present"});
    for (const char* counter : {"XfrmInNoPols", "XfrmInTmplMismatch", "XfrmOutNoStates"}) {
      if (auto d = CounterDelta(s, prev, counter))
        f.evidence.push_back(
            {counter, fmt::format("+{} since the previous sample", *d), "not rising"});
      else if (auto v = CounterValue(s, counter); v && *v > 0)
        f.evidence.push_back({counter, fmt::format("{} since boot", *v), "0"});
    }
    f.remedy = fmt::format(
        "Reinstall the SA: VyOS `reset vpn ipsec site-to-site peer {0}`; Linux `swanctl "
        "--terminate "
        "--child {1}` then `swanctl --initiate --child {1}`. Then find what removes kernel IPsec "
        "state (a script running `ip xfrm policy flush` / `ip xfrm state flush`, a second IKE "
        "daemon, a netns move). Verify: `ip xfrm policy` and `ip xfrm state` list {2}",
        a.ike->name, c.name, TsText(c));
    out.push_back(std::move(f));
  }
  return out;
}

std::vector<Finding> CheckIpsecRouteMissing(const Snapshot& s, const Snapshot*) {
  if (!ViciOk(s) || !KernelOk(s)) return {};
  SharedRoutes routes(s);
  std::vector<Finding> out;
  for (const auto& a : InstalledChildren(s)) {
    const ChildSa& c = *a.child;
    Tunnel t = TunnelOf(s, *routes, a.conn, c);
    for (const auto& r : Selectors(c.remote_ts)) {
      Finding f{.id = "ipsec.route.missing",
                .severity = Severity::kCritical,
                .subject = ConnectionSubject(s, a.ike->name),
                .weight = 70};
      auto tables = routes->LookupAllTables(r);
      const Route* best = routes->Best(r);
      std::string via =
          best ? fmt::format("{} via {}{}", best->type == "unicast" ? "" : best->type + " ",
                             best->dev.empty() ? "—" : best->dev,
                             best->table == 254 ? "" : fmt::format(" (table {})", best->table))
               : "no route";
      std::string host = SampleHost(r);
      if (t.route_based) {
        std::string tname = t.iface ? t.iface->name : "";
        if (r.len == 0) {
          // 0/0 selectors: what goes into the tunnel is decided by routes
          // (often BGP over the tunnel); at least one must use it.
          if (!t.iface || routes->AnyRouteVia(tname)) continue;
          f.severity = Severity::kWarning;
          f.weight = 40;
          f.message = fmt::format("no route points into {}: nothing is sent through CHILD SA {}",
                                  tname, c.name);
          f.evidence = {
              {fmt::format("routes via {}", tname), "none", "the remote networks (static or BGP)"}};
          f.remedy = fmt::format(
              "Route the remote networks into it: VyOS `set protocols static "
              "route PREFIX interface {0}` (or BGP over {0}); Linux `ip route "
              "add PREFIX dev {0}`. Verify: `ip route show dev {0}`",
              tname);
          out.push_back(std::move(f));
          continue;
        }
        bool into = std::any_of(tables.begin(), tables.end(), [&](const Route* x) {
          if (t.iface) return x->dev == tname;
          const Interface* i = s.FindInterface(x->dev);
          return i && IsTunnelKind(*i);
        });
        if (into) continue;
        f.message = t.iface
                        ? fmt::format(
                              "traffic to {} is routed {}, not into {}: it never reaches "
                              "CHILD SA {}",
                              r.ToString(), best ? "via " + best->dev : "nowhere", tname, c.name)
                        : fmt::format(
                              "traffic to {} is routed {}, but CHILD SA {} is route-based "
                              "(if_id {}): it needs a route into its XFRM interface",
                              r.ToString(), best ? "via " + best->dev : "nowhere", c.name,
                              t.if_id ? *t.if_id : 0);
        f.evidence = {{fmt::format("route to {}", r.ToString()), via,
                       t.iface ? fmt::format("dev {}", tname) : "dev <the XFRM interface>"}};
        std::string dev = t.iface ? tname : "vtiN";
        f.remedy = fmt::format(
            "VyOS `set protocols static route {0} interface {1}`; Linux `ip route "
            "add {0} dev {1}`. Verify: VyOS `show ip route {0}`; Linux `ip route "
            "get {2}` names {1}",
            r.ToString(), dev, host);
        out.push_back(std::move(f));
        continue;
      }
      // Policy-based: the IPsec policy applies after the route lookup, so
      // some forwarding route (a default one will do) must exist.
      bool forwards = std::any_of(tables.begin(), tables.end(), [](const Route* x) {
        return x->type == "unicast" || x->type.empty();
      });
      if (forwards) continue;
      f.message = tables.empty()
                      ? fmt::format(
                            "no route to {} in any table: the kernel drops the traffic "
                            "before the IPsec policy of CHILD SA {} applies",
                            r.ToString(), c.name)
                      : fmt::format(
                            "the route to {} is {}: the kernel drops the traffic before the "
                            "IPsec policy of CHILD SA {} applies",
                            r.ToString(), best->type, c.name);
      f.evidence = {{fmt::format("route to {}", r.ToString()), via,
                     "any forwarding route (a default route will do)"}};
      f.remedy = fmt::format(
          "Give {0} a route: Linux `ip route add {0} via GATEWAY` (or a default route), or let "
          "charon install one (charon.install_routes = yes; it uses table 220: `ip route show "
          "table "
          "220`); VyOS: a static or default route (`set protocols static route {0} next-hop "
          "GATEWAY`). Verify: `ip route get {1}`",
          r.ToString(), host);
      out.push_back(std::move(f));
    }
  }
  return out;
}

std::vector<Finding> CheckIpsecVtiDown(const Snapshot& s, const Snapshot*) {
  if (!ViciOk(s) || !KernelOk(s)) return {};
  SharedRoutes routes(s);
  std::vector<Finding> out;
  std::set<std::pair<std::string, std::string>> reported;
  for (const auto& a : InstalledChildren(s)) {
    const ChildSa& c = *a.child;
    Tunnel t = TunnelOf(s, *routes, a.conn, c);
    if (!t.route_based) continue;
    Finding f{.id = "ipsec.vti.down",
              .severity = Severity::kCritical,
              .subject = ConnectionSubject(s, a.ike->name),
              .weight = 90};
    if (!t.iface) {
      bool any = std::any_of(s.interfaces.begin(), s.interfaces.end(), IsTunnelKind);
      if (any || !t.if_id) continue;  // cannot tell which one
      if (!reported.insert({a.ike->name, ""}).second) continue;
      f.message = fmt::format(
          "CHILD SA {} is INSTALLED for interface id {} but no XFRM/VTI "
          "interface exists: its traffic has nowhere to go",
          c.name, *t.if_id);
      f.evidence = {{"XFRM/VTI interfaces", "none", fmt::format("one with if_id {}", *t.if_id)}};
      f.remedy = fmt::format(
          "Create it: VyOS `set interfaces vti vtiN address ...` and bind it in "
          "`set vpn ipsec site-to-site peer {0} vti bind vtiN`; Linux `ip link "
          "add vtiN type xfrm if_id {1} dev eth0 && ip link set vtiN up`. Verify: "
          "`ip -d link show type xfrm`",
          a.ike->name, *t.if_id);
      out.push_back(std::move(f));
      continue;
    }
    const Interface& i = *t.iface;
    if (i.admin_up) continue;
    if (!reported.insert({a.ike->name, i.name}).second) continue;
    f.message = fmt::format(
        "CHILD SA {} is INSTALLED but its tunnel interface {} is "
        "administratively down: traffic for the tunnel is dropped",
        c.name, i.name);
    f.evidence = {{fmt::format("{} state", i.name),
                   fmt::format("admin down, operstate {}", i.operstate.empty() ? "?" : i.operstate),
                   "admin up"},
                  {fmt::format("CHILD SA {}", c.name), c.state, "INSTALLED"}};
    f.remedy = fmt::format(
        "Bring it up: VyOS `delete interfaces vti {0} disable` if it is set, otherwise `sudo ip "
        "link set dev {0} up` (VyOS raises VTIs from the IPsec up/down hook; after `restart vpn "
        "ipsec` they can stay down); Linux `ip link set dev {0} up`. Verify: VyOS `show interfaces "
        "vti {0}`; Linux `ip -d link show dev {0}`",
        i.name);
    out.push_back(std::move(f));
  }
  return out;
}

std::vector<Finding> CheckIpsecMtu(const Snapshot& s, const Snapshot* prev) {
  if (s.Source(kSourceCounters).state != SourceState::kOk) return {};
  auto now = CounterValue(s, "XfrmOutStateModeError");
  if (!now || *now == 0) return {};
  // A host-wide counter: it names a connection only when one alone is up.
  std::set<std::string> up;
  for (const auto& a : InstalledChildren(s)) up.insert(a.ike->name);
  bool xfrm_in_use = !s.xfrm_states.empty() || !up.empty();
  if (!xfrm_in_use) return {};
  Subject subject = up.size() == 1 ? ConnectionSubject(s, *up.begin()) : HostSubject(s);
  Finding f{.id = "ipsec.mtu", .subject = subject};
  auto delta = CounterDelta(s, prev, "XfrmOutStateModeError");
  if (prev && delta) {
    if (*delta == 0) return {};
    std::int64_t w = WindowSeconds(s, *prev);
    f.severity = Severity::kWarning;
    f.weight = 40;
    f.message = fmt::format(
        "{} packets were too big for an IPsec SA in the last {} s "
        "(XfrmOutStateModeError): path MTU discovery is not working through "
        "the tunnel",
        *delta, w);
    f.evidence = {
        {"XfrmOutStateModeError (host-wide)", fmt::format("+{} in {} s", *delta, w), "not rising"}};
  } else {
    f.severity = Severity::kInfo;
    f.weight = 10;
    f.message = fmt::format(
        "{} packets were too big for an IPsec SA since boot "
        "(XfrmOutStateModeError); sample twice to see whether it still happens",
        *now);
    f.evidence = {{"XfrmOutStateModeError (host-wide)", fmt::format("{} since boot", *now), "0"}};
  }
  f.remedy =
      "Clamp TCP MSS and/or lower the tunnel MTU: VyOS `set interfaces vti vtiN ip "
      "adjust-mss clamp-mss-to-pmtu` (or on the LAN interface for policy-based tunnels), `set "
      "interfaces vti vtiN mtu 1400`; nftables `tcp flags syn tcp option maxseg size set rt "
      "mtu` in the forward chain; let ICMP \"fragmentation needed\" through. Verify: `grep "
      "XfrmOutStateModeError /proc/net/xfrm_stat` stops rising (`edgediag vpn --sample 30`); "
      "`ping -M do -s 1372 REMOTE_HOST`";
  return {f};
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
};

}  // namespace

std::span<const Rule> IpsecRules() { return kIpsecRules; }

}  // namespace edgediag::plugin

// strongSwan's view (list-conns, list-sas) read the way the ipsec.* rules
// need it: SA states, selectors, start actions, tunnel interfaces, and the
// CHILD SAs that carry traffic.
#include "plugin/ipsec_model.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>

#include "plugin/vpn_common.h"

namespace edgediag::plugin {

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

std::string Join(const std::vector<std::string>& v, std::string_view sep) {
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

namespace {


StartAction Declared(const ChildConfig& c) {
  if (c.start_action.find("start") != std::string::npos) return StartAction::kStart;
  if (c.start_action.find("trap") != std::string::npos) return StartAction::kTrap;
  if (c.start_action == "none") return StartAction::kNone;
  return StartAction::kUnknown;
}

bool Upper(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::toupper(static_cast<unsigned char>(x)) == y;
         });
}

bool Trapped(const Snapshot& s, const ChildConfig& c) {
  for (const auto& p : s.ipsec_policies)
    if (p.child == c.name && !IsShuntPolicy(p)) return true;
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

}  // namespace

// list-conns and list-policies print the mode as ipsec_mode_names does
// (TUNNEL, TRANSPORT, BEET, PASS, DROP); lower case is accepted too.
bool IsShunt(const ChildConfig& c) { return Upper(c.mode, "PASS") || Upper(c.mode, "DROP"); }
bool IsShuntPolicy(const IpsecPolicy& p) {
  return Upper(p.mode, "PASS") || Upper(p.mode, "DROP");
}

const IpsecPolicy* InstalledPolicy(const Snapshot& s, std::string_view conn,
                                   std::string_view child) {
  for (const auto& p : s.ipsec_policies)
    if (p.child == child && (p.ike.empty() || p.ike == conn)) return &p;
  return nullptr;
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

std::optional<XfrmErrors> XfrmErrorDeltas(const Snapshot& s, const Snapshot* prev) {
  if (!prev || s.counters.xfrm_stat.empty() || prev->counters.xfrm_stat.empty())
    return std::nullopt;
  auto d = [&](std::string_view name) { return CounterDelta(s, prev, name).value_or(0); };
  return XfrmErrors{d("XfrmInStateProtoError"), d("XfrmInStateSeqError"),
                    d("XfrmInStateExpired"), d("XfrmInNoStates"), d("XfrmOutPolBlock")};
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

// INSTALLED CHILD SAs of established IKE SAs: the ones that carry traffic.
std::vector<ActiveChild> InstalledChildren(const Snapshot& s, const RouteIndex& routes) {
  std::vector<ActiveChild> out;
  for (const auto& ike : s.ike_sas) {
    if (!IkeUp(ike)) continue;
    const IpsecConnection* conn = FindConnection(s, ike.name);
    for (const auto& c : ike.child_sas)
      if (c.state == "INSTALLED") out.push_back({&ike, &c, conn, TunnelOf(s, routes, conn, c)});
  }
  return out;
}


}  // namespace edgediag::plugin

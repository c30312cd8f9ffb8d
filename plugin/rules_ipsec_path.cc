// ipsec.* rules on the data path: source NAT before the policy, NAT
// without UDP encapsulation, kernel policies and states, routes into the
// tunnel, VTI/XFRM interfaces and MTU. strongSwan docs howtos/forwarding
// ("General NAT problems").
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "plugin/facts.h"
#include "plugin/ipsec_rules.h"
#include "plugin/vpn_common.h"
#include "plugin/vpn_probe.h"

namespace edgediag::plugin {

std::vector<Finding> CheckIpsecSnatBeforePolicy(const Facts& facts, const Snapshot& s, const Snapshot*) {
  if (!ViciOk(s) || s.nat_rules.empty()) return {};
  std::vector<Finding> out;
  for (const NatFault& fault : facts.nat_faults()) {
    const ChildSa& c = *fault.child->child;
    const IkeSa& ike = *fault.child->ike;
    const Prefix& local = fault.local;
    const Prefix& remote = fault.remote;
    const NatRule& n = *fault.rule;
    Finding f{.id = "ipsec.nat.snat-before-policy",
              .severity = Severity::kCritical,
              .subject = ConnectionSubject(s, ike.name),
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
    std::string oif = !n.oifname.empty() ? n.oifname : fault.oif.empty() ? "IF" : fault.oif;
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
  return out;
}

std::vector<Finding> CheckIpsecNoEncap(const Facts&, const Snapshot& s, const Snapshot*) {
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

namespace {

bool Superseded(const Snapshot& s, const std::string& conn, const ChildSa& c) {
  for (const IkeSa* ike : IkesOf(s, conn))
    for (const auto& other : ike->child_sas)
      if (other.name == c.name && other.reqid == c.reqid && other.uniqueid > c.uniqueid &&
          other.spi_in != c.spi_in)
        return true;
  return false;
}

}  // namespace

std::vector<Finding> CheckIpsecPolicyMissing(const Facts& facts, const Snapshot& s, const Snapshot* prev) {
  if (!ViciOk(s) || s.Source(kSourceXfrm).state != SourceState::kOk) return {};
  std::vector<Finding> out;
  for (const auto& a : facts.ipsec_children()) {
    const ChildSa& c = *a.child;
    // The kernel's dump and charon's list are read side by side, not at
    // one instant: an SA installed seconds ago (a rekey) may postdate the
    // dump. Judged on the next run, once it has settled.
    constexpr std::uint64_t kFresh = 5;  // seconds
    if (c.install_time && *c.install_time < kFresh) continue;
    // Likewise an SA that a newer one of the same CHILD (name and reqid, in
    // this IKE SA or its make-before-break successor) replaces: charon may
    // still list it as INSTALLED when the kernel has already deleted it.
    if (Superseded(s, a.ike->name, c)) continue;
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

std::vector<Finding> CheckIpsecRouteMissing(const Facts& facts, const Snapshot& s, const Snapshot*) {
  if (!ViciOk(s) || !KernelOk(s) || !DumpOk(s, kSourceRoutes)) return {};
  const RouteIndex& routes = facts.routes();
  std::vector<Finding> out;
  for (const auto& a : facts.ipsec_children()) {
    const ChildSa& c = *a.child;
    const Tunnel& t = a.tunnel;
    for (const auto& r : Selectors(c.remote_ts)) {
      Finding f{.id = "ipsec.route.missing",
                .severity = Severity::kCritical,
                .subject = ConnectionSubject(s, a.ike->name),
                .weight = 70};
      auto tables = routes.LookupAllTables(r);
      const Route* best = routes.Best(r);
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
          if (!t.iface || routes.AnyRouteVia(tname)) continue;
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

std::vector<Finding> CheckIpsecVtiDown(const Facts& facts, const Snapshot& s, const Snapshot*) {
  if (!ViciOk(s) || !KernelOk(s) || !DumpOk(s, kSourceRoutes)) return {};
  std::vector<Finding> out;
  std::set<std::pair<std::string, std::string>> reported;
  for (const auto& a : facts.ipsec_children()) {
    const ChildSa& c = *a.child;
    const Tunnel& t = a.tunnel;
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

namespace {

// ipsec.mtu from the probe: DF echoes vanish above some size while smaller
// ones, and the small echo, are answered: a path-MTU black hole (something
// on the path drops the bigger ESP packets, and its ICMP "fragmentation
// needed" never reaches the router). Random loss (a bigger size answered
// than one lost) proves nothing and is not reported.
std::optional<Finding> ProbedMtu(const Snapshot& s, const std::string& tunnel,
                                 const std::string& child, const PathMtuLadder& l) {
  if (!l.black_hole()) return std::nullopt;
  const Probe& p = *l.small;
  const std::string from = p.source.empty() ? p.dev : p.source;
  const std::uint32_t good = l.answered;
  Finding f{.id = "ipsec.mtu", .severity = Severity::kWarning,
            .subject = ConnectionSubject(s, tunnel), .weight = 50};
  f.message = fmt::format(
      "Through CHILD SA {}, packets of {} bytes with Don't Fragment set vanish while {}-byte "
      "ones are answered: something on the path drops the bigger ESP packets and its ICMP "
      "\"fragmentation needed\" never reaches this router (a path-MTU black hole). Pings and "
      "small packets pass; TCP sessions stall once they send full-size segments",
      child, l.lost, good);
  f.evidence = {
      {"DF echoes through the tunnel",
       fmt::format("{} bytes answered, {} bytes lost", good, l.lost),
       fmt::format("{} bytes answered", l.tried)},
      {"the router's MTU toward the target",
       l.router_mtu ? fmt::format("{} (after ESP)", l.router_mtu) : fmt::format("{}", l.tried),
       fmt::format("at most {}", good)},
      {"probe", fmt::format("{} -> {} ({} target), small echo: {}", from, p.target, p.origin,
                            p.detail),
       "answered"}};
  const std::uint32_t mss = good > 40 ? good - 40 : good;
  f.remedy = fmt::format(
      "Make the tunnel carry at most {0} bytes: on a VTI `set interfaces vti {1} mtu {0}` "
      "(Linux `ip link set dev {1} mtu {0}`); for a policy-based tunnel clamp TCP MSS to {2} on "
      "the LAN side (VyOS `set interfaces ethernet ethX ip adjust-mss {2}`, nftables `tcp flags "
      "syn tcp option maxseg size set {2}`). Then find what drops ICMP type 3 code 4 on the path "
      "and let it through. Verify: `ping -M do -s {3} -I {4} {5}` is answered, `edgediag vpn "
      "--probe` no longer reports ipsec.mtu",
      good, p.dev.empty() ? "vtiN" : p.dev, mss,
      good - EchoHeaderBytes(p.target.find(':') == std::string::npos ? 4 : 6), from, p.target);
  return f;
}

std::vector<Finding> ProbedMtuFindings(const Snapshot& s) {
  std::map<std::pair<std::string, std::string>, PathMtuLadder> ladders;
  for (const auto& pr : s.probes)
    if (!pr.child.empty()) ladders[{pr.tunnel, pr.child}].Add(pr);
  std::vector<Finding> out;
  for (const auto& [key, l] : ladders)
    if (auto f = ProbedMtu(s, key.first, key.second, l)) out.push_back(std::move(*f));
  return out;
}

}  // namespace

std::vector<Finding> CheckIpsecMtu(const Facts& facts, const Snapshot& s, const Snapshot* prev) {
  std::vector<Finding> out = ProbedMtuFindings(s);
  if (s.Source(kSourceCounters).state != SourceState::kOk) return out;
  auto now = CounterValue(s, "XfrmOutStateModeError");
  if (!now || *now == 0) return out;
  // A host-wide counter: it names a connection only when one alone is up.
  std::set<std::string> up;
  for (const auto& a : facts.ipsec_children()) up.insert(a.ike->name);
  bool xfrm_in_use = !s.xfrm_states.empty() || !up.empty();
  if (!xfrm_in_use) return out;
  Subject subject = up.size() == 1 ? ConnectionSubject(s, *up.begin()) : HostSubject(s);
  auto delta = CounterDelta(s, prev, "XfrmOutStateModeError");
  // The probe's finding on that connection says more: the counter joins
  // it as evidence.
  for (auto& probed : out) {
    if (probed.subject.id != subject.id) continue;
    probed.evidence.push_back({"XfrmOutStateModeError (host-wide)",
                               prev && delta ? fmt::format("+{}", *delta)
                                             : fmt::format("{} since boot", *now),
                               "0"});
    return out;
  }
  Finding f{.id = "ipsec.mtu", .subject = subject};
  if (prev && delta) {
    if (*delta == 0) return out;
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
  out.push_back(std::move(f));
  return out;
}

}  // namespace edgediag::plugin

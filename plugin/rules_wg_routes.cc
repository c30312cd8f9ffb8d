// wg.* rules on AllowedIPs, routes and MTU, and net.rp-filter.strict: where
// the kernel sends a tunnel's traffic, and whether it lets the replies in.
#include <fmt/format.h>

#include <algorithm>
#include <unordered_map>

#include "plugin/dx_rules.h"
#include "plugin/facts.h"
#include "plugin/ipsec_rules.h"
#include "plugin/vpn_common.h"
#include "plugin/wg_model.h"
#include "plugin/wg_rules.h"

namespace edgediag::plugin {

// The kernel keeps AllowedIPs in one trie per interface and a prefix
// belongs to exactly one peer: setting it on a second peer moves it
// (allowedips.c, wg_allowedips_insert_v4). A kernel dump therefore never
// shows an exact duplicate; one in a snapshot comes from configuration or a
// merged dump, and means one of the peers does not really hold the prefix.
// Containment is legal (longest prefix wins) but hands part of the broader
// peer's range to another peer, in both directions: traffic to it goes to
// the narrower peer, and packets from it arriving from the broader peer are
// dropped. A /0 is a catch-all by design: info.
std::vector<Finding> CheckWgAllowedIpsOverlap(const Facts&, const Snapshot& s, const Snapshot*) {
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
std::vector<Finding> CheckWgAllowedIpsUnrouted(const Facts& facts, const Snapshot& s, const Snapshot*) {
  if (!KernelOk(s) || !DumpOk(s, kSourceRoutes)) return {};
  const RouteIndex& routes = facts.routes();
  constexpr std::size_t kExamples = 5;
  std::vector<Finding> out;
  for (const auto& w : s.wireguard) {
    if (AdminDown(s, w)) continue;  // its routes went with it
    const PrefixTrie& into = routes.RoutesVia(w.name);
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
        const Route* r = routes.Best(unrouted[i]);
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
std::vector<Finding> CheckWgMtu(const Facts& facts, const Snapshot& s, const Snapshot*) {
  if (!KernelOk(s) || !DumpOk(s, kSourceRoutes)) return {};
  const RouteIndex& routes = facts.routes();
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
      const Route* r = routes.Best(*ep);
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
std::vector<Finding> CheckNetRpFilterStrict(const Facts& facts, const Snapshot& s, const Snapshot* prev) {
  if (!KernelOk(s) || !DumpOk(s, kSourceRoutes)) return {};
  const RouteIndex& routes = facts.routes();
  auto drops = CounterDelta(s, prev, "IPReversePathFilter");
  auto drops_total = CounterValue(s, "IPReversePathFilter");
  constexpr std::size_t kExamples = 3;

  struct Asym {
    std::vector<std::string> examples;
    std::size_t count = 0;
  };
  auto check = [&](const std::string& tunnel, const Prefix& p, Asym& a) {
    if (p.len == 0) return;
    if (routes.SomeTableRoutesVia(p, tunnel)) return;
    const Route* r = routes.Best(p);
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
  // Under `dx` alone only the VIFs are judged, not the host's tunnels.
  bool tunnels = facts.Wants(Family::kWireguard) || facts.Wants(Family::kIpsec);
  for (const auto& w : s.wireguard) {
    if (!tunnels) break;
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
    if (!tunnels) break;
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
  // Direct Connect: the sources arriving on a VIF's sub-interface are the
  // networks AWS announces on it (the best paths learnt from the peer).
  for (const auto& p : facts.dx()) {
    if (!p.iface || !p.iface->rp_filter || *p.iface->rp_filter != 1 || !p.bgp) continue;
    // Just after the session came up zebra may not have installed AWS's
    // routes yet: a prefix with no route of its own waits (as in
    // dx.route.not-installed); one that another route of its own shadows
    // does not.
    const bool settled = BgpSettled(*p.bgp);
    // In any table: a VIF in a VRF has its routes in the VRF's own.
    auto own_route = [&](const Prefix& net) {
      for (const Route* r : routes.LookupAllTables(net))
        if (auto rp = ParsePrefix(r->dst); rp && rp->len == net.len) return true;
      return false;
    };
    Asym a;
    for (const auto& af : p.bgp->addressFamilyInfo)
      if (af.bestRoutes)
        for (const auto& r : *af.bestRoutes)
          if (auto pre = ParsePrefix(r.prefix); pre && pre->family == 4) {
            Prefix net = pre->Network();
            if (settled || own_route(net)) check(p.iface->name, net, a);
          }
    if (a.count == 0) continue;
    Finding f = finding(p.subject, *p.iface, a);
    f.message = fmt::format(
        "strict reverse-path filtering on {} drops packets from AWS's networks whose route back "
        "leaves another way: {}{}",
        p.iface->name, a.examples.front(),
        a.count > 1 ? fmt::format(" (and {} more)", a.count - 1) : "");
    f.remedy = fmt::format(
        "Send the traffic back over the VIF (install BGP's routes from AWS: see dx.route.not-installed), "
        "or make the filter loose: VyOS `set interfaces {0} ip source-validation loose`; Linux "
        "`sysctl -w net.ipv4.conf.{1}.rp_filter=2` (the kernel applies the higher of `all` and "
        "{1}). Verify: `nstat -az TcpExtIPReversePathFilter` stops rising",
        VyosPath(s, *p.iface), p.iface->name);
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace edgediag::plugin

// The session is Established and every light is green, yet traffic does not
// flow: dx.bgp.policy-required, dx.bgp.no-routes-received,
// dx.bgp.no-routes-advertised, dx.bgp.unapproved-prefix,
// dx.route.not-installed. Sources: FRR bgpd/bgp_vty.c (addressFamilyInfo:
// acceptedPrefixCounter, sentPrefixCounter, the policy names, and
// inbound/outboundEbgpRequiresPolicy, the "(Policy)" of `show bgp
// summary`; FRR 7.4+ has ebgp-requires-policy on by default), the Direct
// Connect User Guide (troubleshooting layer 3: an Established session with
// no prefixes from AWS means nothing to announce — no gateway association or
// no allowed prefixes; public VIFs accept only the VIF's approved prefixes).
#include <algorithm>
#include <unordered_map>

#include <fmt/format.h>

#include "plugin/dx_match.h"
#include "plugin/dx_rules.h"
#include "plugin/facts.h"
#include "plugin/ip.h"

namespace edgediag::plugin {
namespace {

// A session just come up may not have had its UPDATEs yet.
constexpr std::uint64_t kSettleMsec = 30'000;
constexpr std::size_t kExamples = 5;

std::string Uptime(const BgpNeighbor& b) {
  if (!b.bgpTimerUpMsec) return "?";
  std::uint64_t s = *b.bgpTimerUpMsec / 1000;
  if (s >= 86400) return fmt::format("{}d {}h", s / 86400, s % 86400 / 3600);
  if (s >= 3600) return fmt::format("{}h {}m", s / 3600, s % 3600 / 60);
  if (s >= 60) return fmt::format("{}m {}s", s / 60, s % 60);
  return fmt::format("{}s", s);
}

std::string AfiName(const std::string& afi) {
  if (afi == "ipv4Unicast") return "IPv4 unicast";
  if (afi == "ipv6Unicast") return "IPv6 unicast";
  return afi;
}

std::string Peer(const DxPeering& p) { return p.amazon ? p.amazon->Address() : "PEER"; }

// "IPv4 session with 169.254.0.1": which of a dual-stack VIF's sessions.
std::string Session(const DxPeering& p) {
  return fmt::format("{} session with {}", p.amazon && p.amazon->family == 6 ? "IPv6" : "IPv4",
                     Peer(p));
}

// The address family the session carries: its own (ipv4Unicast on an IPv4
// peer), or nullptr when FRR did not list it.
const BgpAddressFamily* OwnFamily(const DxPeering& p) {
  if (!p.bgp) return nullptr;
  std::string want = p.amazon && p.amazon->family == 6 ? "ipv6Unicast" : "ipv4Unicast";
  for (const auto& af : p.bgp->addressFamilyInfo)
    if (af.afi == want) return &af;
  return nullptr;
}

std::string Policy(const std::string& route_map, const std::string& prefix_list,
                   const std::string& filter_list, const std::string& distribute_list) {
  std::vector<std::string> parts;
  if (!route_map.empty()) parts.push_back("route-map " + route_map);
  if (!prefix_list.empty()) parts.push_back("prefix-list " + prefix_list);
  if (!filter_list.empty()) parts.push_back("filter-list " + filter_list);
  if (!distribute_list.empty()) parts.push_back("distribute-list " + distribute_list);
  return parts.empty() ? "none" : fmt::format("{}", fmt::join(parts, ", "));
}

std::string InboundPolicy(const BgpAddressFamily& af) {
  return Policy(af.routeMapForIncomingAdvertisements, af.incomingUpdatePrefixFilterList,
                af.incomingUpdateAsPathFilterList, af.incomingUpdateNetworkFilterList);
}
std::string OutboundPolicy(const BgpAddressFamily& af) {
  return Policy(af.routeMapForOutgoingAdvertisements, af.outgoingUpdatePrefixFilterList,
                af.outgoingUpdateAsPathFilterList, af.outgoingUpdateNetworkFilterList);
}

bool PolicyBlocked(const DxPeering& p) {
  if (!p.bgp) return false;
  for (const auto& af : p.bgp->addressFamilyInfo)
    if (af.inboundEbgpRequiresPolicy || af.outboundEbgpRequiresPolicy) return true;
  return false;
}

std::string VyosAf(const DxPeering& p) {
  return p.amazon && p.amazon->family == 6 ? "ipv6-unicast" : "ipv4-unicast";
}

}  // namespace

std::vector<Finding> CheckBgpPolicyRequired(const Facts& facts, const Snapshot&, const Snapshot*) {
  std::vector<Finding> out;
  for (const auto& p : facts.dx()) {
    if (!Established(p) || !PolicyBlocked(p)) continue;
    Finding f{.id = "dx.bgp.policy-required", .severity = Severity::kCritical, .subject = p.subject};
    std::vector<std::string> ways;
    for (const auto& af : p.bgp->addressFamilyInfo) {
      if (af.inboundEbgpRequiresPolicy) {
        f.evidence.push_back({fmt::format("{} inboundEbgpRequiresPolicy", AfiName(af.afi)),
                              "set: updates from AWS discarded", "a route-map in"});
        ways.push_back("accepts nothing");
      }
      if (af.outboundEbgpRequiresPolicy) {
        f.evidence.push_back({fmt::format("{} outboundEbgpRequiresPolicy", AfiName(af.afi)),
                              "set: nothing sent to AWS", "a route-map out"});
        ways.push_back("sends nothing");
      }
    }
    std::sort(ways.begin(), ways.end());
    ways.erase(std::unique(ways.begin(), ways.end()), ways.end());
    f.message = fmt::format(
        "the {} is Established but {}: FRR's ebgp-requires-policy is on and the neighbour has "
        "no {} policy (\"(Policy)\" in `show bgp summary`)",
        Session(p), fmt::join(ways, " and "),
        ways.size() > 1 ? "inbound or outbound" : ways.front() == "sends nothing" ? "outbound" : "inbound");
    if (auto* own = OwnFamily(p))
      f.evidence.push_back({"prefixes accepted/sent",
                            fmt::format("{}/{}", own->acceptedPrefixCounter.value_or(0),
                                        own->sentPrefixCounter.value_or(0)),
                            "> 0"});
    f.remedy = fmt::format(
        "Give the neighbour a policy each way: VyOS `set protocols bgp neighbor {0} address-family "
        "{1} route-map import AWS-IN` and `... route-map export AWS-OUT`; FRR `neighbor {0} "
        "route-map AWS-IN in` and `neighbor {0} route-map AWS-OUT out` (or `no bgp "
        "ebgp-requires-policy`). Verify: `show ip bgp summary` no longer shows (Policy); {2}",
        Peer(p), VyosAf(p), ShowNeighbor(p));
    f.weight = 90;  // the cause of both no-routes findings
    out.push_back(std::move(f));
  }
  return out;
}

std::vector<Finding> CheckBgpNoRoutesReceived(const Facts& facts, const Snapshot&, const Snapshot*) {
  std::vector<Finding> out;
  for (const auto& p : facts.dx()) {
    if (!Established(p) || PolicyBlocked(p) || !BgpSettled(*p.bgp)) continue;
    const BgpAddressFamily* af = OwnFamily(p);
    std::optional<std::uint64_t> accepted =
        af ? af->acceptedPrefixCounter : p.bgp->prefixesReceived;
    if (!accepted || *accepted != 0) continue;
    Finding f{.id = "dx.bgp.no-routes-received", .severity = Severity::kCritical,
              .subject = p.subject};
    std::string inbound = af ? InboundPolicy(*af) : "?";
    f.message = fmt::format(
        "the {} is Established for {} but AWS's routes: 0 accepted{}", Session(p), Uptime(*p.bgp),
        inbound != "none" && inbound != "?" && p.bgp->updatesRecv > 1
            ? "; AWS sent UPDATEs, so the inbound policy may drop them"
            : ": AWS announces nothing on this VIF");
    f.evidence = {{"prefixes accepted from AWS", std::to_string(*accepted), "> 0"},
                  {"UPDATE messages received", std::to_string(p.bgp->updatesRecv), "—"},
                  {"session up for", Uptime(*p.bgp), "—"},
                  {"inbound policy", inbound, "—"}};
    std::string console;
    const Vif* v = p.vif;
    if (v && v->virtualInterfaceType == "transit")
      console = "the Direct Connect gateway's association with the transit gateway and its allowed "
                "prefixes";
    else if (v && v->virtualInterfaceType == "public")
      console = "the public VIF's state (AWS announces its public prefixes once the VIF is "
                "verified)";
    else
      console = "that the VIF is attached to a virtual private gateway (attached to the VPC) or to "
                "a Direct Connect gateway associated with one, with the VPC's CIDRs in its "
                "allowed prefixes";
    if (v && v->virtualGatewayId.empty() && v->directConnectGatewayId.empty()) {
      f.evidence.push_back({"VIF's gateway", "none (virtualGatewayId and directConnectGatewayId empty)",
                            "a virtual private or Direct Connect gateway"});
      f.weight = 78;
    } else {
      f.weight = 70;
    }
    f.remedy = fmt::format(
        "In the AWS console (Direct Connect > Virtual interfaces{0}), check {1}; check the inbound "
        "policy does not drop AWS's routes. Verify: VyOS `show ip bgp neighbors {2} routes`; "
        "Linux `vtysh -c 'show bgp neighbors {2} routes'`",
        v ? " > " + v->virtualInterfaceId : "", console, Peer(p));
    out.push_back(std::move(f));
  }
  return out;
}

std::vector<Finding> CheckBgpNoRoutesAdvertised(const Facts& facts, const Snapshot&, const Snapshot*) {
  std::vector<Finding> out;
  for (const auto& p : facts.dx()) {
    if (!Established(p) || PolicyBlocked(p) || !BgpSettled(*p.bgp)) continue;
    const BgpAddressFamily* af = OwnFamily(p);
    std::optional<std::uint64_t> counted = af ? af->sentPrefixCounter : p.bgp->prefixesSent;
    // FRR counts AWS's own routes sent back to it; the advertised list
    // (read when the count could be only those) leaves them out.
    std::optional<std::uint64_t> sent = counted;
    if (af && af->advertisedRoutes) sent = af->advertisedRoutes->size();
    if (!sent || *sent != 0) continue;
    Finding f{.id = "dx.bgp.no-routes-advertised", .severity = Severity::kCritical,
              .subject = p.subject};
    std::string outbound = af ? OutboundPolicy(*af) : "?";
    f.message = fmt::format(
        "the {} is Established but the router advertises nothing to AWS: {}", Session(p),
        outbound == "none" || outbound == "?"
            ? "no network or redistribute statement gives it a route to send"
            : "the outbound policy (" + outbound + ") lets nothing through");
    f.evidence = {{"prefixes sent to AWS",
                   counted && *counted > 0
                       ? fmt::format("0 of the router's own (FRR counts {}: AWS's routes sent back "
                                     "to it, which AWS drops)",
                                     *counted)
                       : "0",
                   "> 0"},
                  {"outbound policy", outbound, "—"},
                  {"session up for", Uptime(*p.bgp), "—"}};
    f.remedy = fmt::format(
        "Announce your networks: VyOS `set protocols bgp address-family {1} network PREFIX` (the "
        "prefix must be in the routing table), or fix the export route-map/prefix-list (a "
        "prefix-list with a typo denies everything). Verify: VyOS `show ip bgp neighbors {0} "
        "advertised-routes`; Linux `vtysh -c 'show bgp neighbors {0} advertised-routes'`",
        Peer(p), VyosAf(p));
    f.weight = outbound == "none" || outbound == "?" ? 66 : 72;
    out.push_back(std::move(f));
  }
  return out;
}

std::vector<Finding> CheckBgpUnapprovedPrefix(const Facts& facts, const Snapshot&, const Snapshot*) {
  std::vector<Finding> out;
  for (const auto& p : facts.dx()) {
    if (!p.vif || p.vif->virtualInterfaceType != "public" || !Established(p)) continue;
    std::vector<Prefix> approved;
    for (const auto& r : p.vif->routeFilterPrefixes)
      if (auto pre = ParsePrefix(r)) approved.push_back(pre->Network());
    std::vector<std::string> outside;
    std::size_t sent = 0;
    bool read = false;
    for (const auto& af : p.bgp->addressFamilyInfo) {
      if (!af.advertisedRoutes) continue;
      read = true;
      // FRR sends AWS's own routes back to it (FRR 8.4 lists them as
      // advertised, and counts them); AWS drops them for the AS-path loop,
      // not for want of approval.
      std::vector<std::string> learnt;
      if (af.bestRoutes)
        for (const auto& b : *af.bestRoutes) learnt.push_back(b.prefix);
      std::sort(learnt.begin(), learnt.end());
      for (const auto& r : *af.advertisedRoutes) {
        auto pre = ParsePrefix(r);
        if (!pre || std::binary_search(learnt.begin(), learnt.end(), r)) continue;
        ++sent;
        // An approved prefix or one inside it.
        bool ok = std::any_of(approved.begin(), approved.end(), [&](const Prefix& a) {
          return a.family == pre->family && a.len <= pre->len && a.Contains(*pre);
        });
        if (!ok) outside.push_back(r);
      }
    }
    if (!read || outside.empty()) continue;
    bool all = outside.size() == sent;
    Finding f{.id = "dx.bgp.unapproved-prefix",
              .severity = all ? Severity::kCritical : Severity::kWarning,
              .subject = p.subject};
    std::vector<std::string> shown(outside.begin(),
                                   outside.begin() + std::min(outside.size(), kExamples));
    f.message = fmt::format(
        "{} of the {} prefixes sent on this public VIF {} outside its approved list "
        "(routeFilterPrefixes): AWS ignores them, so their return traffic does not come this way",
        outside.size(), sent, outside.size() == 1 ? "is" : "are");
    f.evidence = {{"prefixes outside routeFilterPrefixes",
                   fmt::format("{}{}", fmt::join(shown, ", "),
                               outside.size() > shown.size()
                                   ? fmt::format(" (and {} more)", outside.size() - shown.size())
                                   : ""),
                   "none"},
                  {"routeFilterPrefixes",
                   p.vif->routeFilterPrefixes.empty()
                       ? "empty"
                       : fmt::format("{}", fmt::join(p.vif->routeFilterPrefixes, ", ")),
                   "—"}};
    f.remedy = fmt::format(
        "Advertise only the approved prefixes (VyOS `set policy prefix-list AWS-OUT rule N prefix "
        "...` with `set protocols bgp neighbor {0} address-family {1} prefix-list export "
        "AWS-OUT`), or ask AWS to approve the others (a public VIF's prefixes are checked against "
        "your ownership). Verify: `show ip bgp neighbors {0} advertised-routes`; "
        "`aws directconnect describe-virtual-interfaces --virtual-interface-id {2}`",
        Peer(p), VyosAf(p), p.vif->virtualInterfaceId);
    f.weight = all ? 74 : 55;
    out.push_back(std::move(f));
  }
  return out;
}

// The kernel table the peering's routes go to: the table of the connected
// route of its interface (a VRF's own table), else main.
std::uint32_t PeeringTable(const Snapshot& s, const DxPeering& p) {
  if (!p.iface) return 254;
  for (const auto& r : s.routes)
    if (r.dev == p.iface->name && r.table != 255 && r.type == "unicast" && r.gateway.empty() &&
        r.protocol == "kernel")
      return r.table;
  return 254;
}

std::vector<Finding> CheckRouteNotInstalled(const Facts& facts, const Snapshot& s, const Snapshot*) {
  std::vector<Finding> out;
  if (!DumpOk(s, kSourceRoutes)) return out;
  // The exact-prefix routes of the tables the peerings use, in one pass.
  struct Want {
    std::uint32_t table;
    std::vector<const Route*> exact;
  };
  std::unordered_map<std::string, std::vector<Want>> wanted;  // prefix (network) -> tables
  struct Job {
    const DxPeering* p;
    std::uint32_t table;
  };
  std::vector<Job> jobs;
  for (const auto& p : facts.dx()) {
    if (!Established(p)) continue;
    bool any = false;
    for (const auto& af : p.bgp->addressFamilyInfo)
      if (af.bestRoutes && !af.bestRoutes->empty()) any = true;
    if (!any) continue;
    std::uint32_t table = PeeringTable(s, p);
    jobs.push_back({&p, table});
    for (const auto& af : p.bgp->addressFamilyInfo)
      if (af.bestRoutes)
        for (const auto& r : *af.bestRoutes)
          if (auto pre = ParsePrefix(r.prefix)) {
            auto& v = wanted[pre->Network().ToString()];
            if (std::none_of(v.begin(), v.end(), [&](const Want& w) { return w.table == table; }))
              v.push_back({table, {}});
          }
  }
  if (jobs.empty()) return out;
  for (const auto& r : s.routes) {
    auto it = wanted.find(r.dst);
    if (it == wanted.end()) {
      auto pre = ParsePrefix(r.dst);
      if (!pre) continue;
      it = wanted.find(pre->Network().ToString());
      if (it == wanted.end()) continue;
    }
    for (auto& w : it->second)
      if (w.table == r.table) w.exact.push_back(&r);
  }
  auto describe = [](const Route* r) {
    if (!r) return std::string("no route");
    std::string via = r->gateway.empty() ? "" : " via " + r->gateway;
    std::string dev = r->dev.empty() ? "" : " dev " + r->dev;
    std::string type = r->type == "unicast" ? "" : r->type + " ";
    return fmt::format("{}{}{}{}{}", type, r->dst, via, dev,
                       r->protocol.empty() ? "" : " proto " + r->protocol);
  };
  for (const auto& job : jobs) {
    const DxPeering& p = *job.p;
    std::vector<std::string> examples;
    std::size_t missing = 0, shadowed = 0, checked = 0;
    for (const auto& af : p.bgp->addressFamilyInfo) {
      if (!af.bestRoutes) continue;
      for (const auto& br : *af.bestRoutes) {
        auto pre = ParsePrefix(br.prefix);
        if (!pre) continue;
        ++checked;
        Prefix net = pre->Network();
        const std::vector<const Route*>* exact = nullptr;
        if (auto it = wanted.find(net.ToString()); it != wanted.end())
          for (const auto& w : it->second)
            if (w.table == job.table) exact = &w.exact;
        auto ours = [&](const Route* r) {
          if (r->type != "unicast") return false;
          if (!br.nexthop.empty() && r->gateway == br.nexthop) return true;
          return p.iface && r->dev == p.iface->name;
        };
        const Route* best_exact = nullptr;
        bool installed = false;
        if (exact)
          for (const Route* r : *exact) {
            if (ours(r)) installed = true;
            if (!best_exact || r->metric < best_exact->metric) best_exact = r;
          }
        if (installed) continue;
        const Route* instead = best_exact ? best_exact : facts.routes().Lookup(net, job.table);
        // A shorter route that also takes the VIF (AWS's aggregate) carries it.
        if (!best_exact && instead && ours(instead)) continue;
        // A session up for seconds: zebra may not have installed what the
        // UPDATEs brought yet (seen taking seconds on a loaded router). A
        // competing route that wins is no such race and is named at once.
        if (!best_exact && !BgpSettled(*p.bgp)) continue;
        if (best_exact)
          ++shadowed;
        else
          ++missing;
        if (examples.size() < kExamples)
          examples.push_back(fmt::format(
              "{} via {}: kernel table {} has {}", br.prefix,
              br.nexthop.empty() ? Peer(p) : br.nexthop, job.table,
              instead ? describe(instead) + (best_exact ? "" : " (a shorter prefix)") : "no route"));
      }
    }
    if (missing + shadowed == 0) continue;
    Finding f{.id = "dx.route.not-installed",
              .severity = missing > 0 ? Severity::kCritical : Severity::kWarning,
              .subject = p.subject};
    f.message = fmt::format(
        "{} of {} prefixes learnt from AWS over the {} {} not in the kernel's table {}{}",
        missing + shadowed, checked, Session(p), missing + shadowed == 1 ? "is" : "are",
        job.table,
        shadowed > 0 ? fmt::format(" ({} shadowed by a route that wins over BGP's)", shadowed)
                     : ": traffic to them does not take the VIF");
    for (const auto& e : examples)
      f.evidence.push_back({"BGP best path against the kernel", e,
                            fmt::format("via {} dev {}", Peer(p), p.iface ? p.iface->name : "?")});
    f.remedy = fmt::format(
        "See why zebra did not install BGP's route: VyOS `show ip route PREFIX` (a static or "
        "connected route with a lower distance wins; `show ip bgp PREFIX` for the best path); "
        "remove or re-weight the competing route. Linux: `vtysh -c 'show ip route PREFIX'`, "
        "`ip route show table {} PREFIX`",
        job.table);
    f.weight = missing > 0 ? 62 : 48;
    out.push_back(std::move(f));
  }
  return out;
}

bool BgpSettled(const BgpNeighbor& b) {
  return !b.bgpTimerUpMsec || *b.bgpTimerUpMsec >= kSettleMsec;
}

}  // namespace edgediag::plugin

// dx.md5.*, dx.asn.*, dx.mtu.*, dx.bgp.*, dx.resilience.*: does the BGP
// session's configuration match the VIF, and what does its state say?
// Sources: FACTS.md "AWS Direct Connect" (MTU per VIF type, prefix limits,
// MD5 always on, 80-byte keys), RFC 4271 6.2 (OPEN errors: 2/2 Bad Peer AS),
// RFC 4486 (Cease 6/1: maximum number of prefixes reached).
#include <algorithm>

#include <fmt/format.h>

#include "plugin/dx_match.h"
#include "plugin/dx_rules.h"
#include "plugin/facts.h"
#include "plugin/ip.h"
#include "plugin/vif_reader.h"


namespace edgediag::plugin {

bool Established(const DxPeering& p) { return p.bgp && p.bgp->bgpState == "Established"; }

std::string ShowNeighbor(const DxPeering& p) {
  std::string a = p.amazon ? p.amazon->Address() : "PEER";
  return fmt::format("VyOS `show ip bgp neighbors {0}`; Linux `vtysh -c 'show bgp neighbors {0}'`", a);
}

namespace {

bool PeerAsNotification(const BgpNeighbor& b) { return b.lastErrorCodeSubcode == "0202"; }

Evidence Notification(const BgpNeighbor& b) {
  return {"last NOTIFICATION",
          fmt::format("{} ({}) — {}", b.lastErrorCodeSubcode.empty() ? "none" : b.lastErrorCodeSubcode,
                      b.lastNotificationReason.empty() ? "-" : b.lastNotificationReason,
                      b.lastResetDueTo.empty() ? "-" : b.lastResetDueTo),
          ""};
}

bool IsPrivateAsn(std::uint32_t asn) {
  return (asn >= 64512 && asn <= 65534) || asn >= 4200000000u;
}

}  // namespace

std::vector<Finding> CheckAsnLocal(const Facts& facts, const Snapshot&, const Snapshot*) {
  std::vector<Finding> out;
  for (const auto& p : facts.dx()) {
    if (auto z = ZeroConfigAsn(p, /*local=*/true)) out.push_back(std::move(*z));
    if (!p.vif || !p.bgp || !p.bgp->localAs || !p.expected.asn) continue;
    if (*p.bgp->localAs == *p.expected.asn) continue;
    Finding f{.id = "dx.asn.local-mismatch", .severity = Severity::kCritical, .subject = p.subject};
    f.message = fmt::format("the router speaks BGP as AS {}, but the VIF was created for AS {}",
                            *p.bgp->localAs, *p.expected.asn);
    f.evidence = {{"router's local AS", std::to_string(*p.bgp->localAs), std::to_string(*p.expected.asn)},
                  Notification(*p.bgp)};
    // AWS rejects the OPEN with 2/2 Bad Peer AS: the session never passes OpenSent.
    f.weight = PeerAsNotification(*p.bgp) ? 92 : 84;
    f.remedy = fmt::format("Use the VIF's ASN: VyOS `set protocols bgp system-as {0}` (VyOS 1.4+) "
                           "or `local-as {0}` on the neighbor; FRR `router bgp {0}`. Verify: {1}",
                           *p.expected.asn, ShowNeighbor(p));
    out.push_back(std::move(f));
  }
  return out;
}

std::vector<Finding> CheckAsnRemote(const Facts& facts, const Snapshot&, const Snapshot*) {
  std::vector<Finding> out;
  for (const auto& p : facts.dx()) {
    if (auto z = ZeroConfigAsn(p, /*local=*/false)) out.push_back(std::move(*z));
    if (!p.vif || !p.bgp || !p.bgp->remoteAs || !p.vif->amazonSideAsn) continue;
    if (*p.bgp->remoteAs == *p.vif->amazonSideAsn) continue;
    Finding f{.id = "dx.asn.remote-mismatch", .severity = Severity::kCritical, .subject = p.subject};
    f.message = fmt::format("the neighbor is configured with remote-as {}, but Amazon's side is AS {}",
                            *p.bgp->remoteAs, *p.vif->amazonSideAsn);
    f.evidence = {{"configured remote-as", std::to_string(*p.bgp->remoteAs),
                   std::to_string(*p.vif->amazonSideAsn) + " (amazonSideAsn)"},
                  Notification(*p.bgp)};
    f.weight = PeerAsNotification(*p.bgp) ? 92 : 84;
    f.remedy = fmt::format("VyOS `set protocols bgp neighbor {0} remote-as {1}`; FRR `neighbor {0} "
                           "remote-as {1}`. Verify: {2}",
                           p.amazon ? p.amazon->Address() : "PEER", *p.vif->amazonSideAsn,
                           ShowNeighbor(p));
    out.push_back(std::move(f));
  }
  return out;
}

std::vector<Finding> CheckAsnPrivateOnPublic(const Facts& facts, const Snapshot&, const Snapshot*) {
  std::vector<Finding> out;
  for (const auto& p : facts.dx()) {
    if (!p.vif || p.vif->virtualInterfaceType != "public") continue;
    std::uint32_t asn = p.expected.asn.value_or(p.bgp && p.bgp->localAs ? *p.bgp->localAs : 0);
    if (asn == 0 || !IsPrivateAsn(asn)) continue;
    Finding f{.id = "dx.asn.private-on-public", .severity = Severity::kWarning, .subject = p.subject};
    f.message = fmt::format("public VIF with the private ASN {}: AWS accepts only prefixes you "
                            "have proven you own, and a private ASN is stripped", asn);
    f.evidence = {{"customer ASN", std::to_string(asn), "a public ASN you own"}};
    f.remedy = "Use your public ASN on public VIFs, or make sure the advertised prefixes are "
               "verified by AWS. Verify: `aws directconnect describe-virtual-interfaces`";
    f.weight = 30;
    out.push_back(std::move(f));
  }
  return out;
}

// --- MTU ---------------------------------------------------------------

namespace {

std::vector<std::uint32_t> AllowedMtus(const std::string& type) {
  if (type == "private") return {1500, 8500, 9001};
  if (type == "transit") return {1500, 8500};
  if (type == "public") return {1500};
  return {};
}

}  // namespace

std::vector<Finding> CheckMtuInvalidForType(const Facts& facts, const Snapshot&, const Snapshot*) {
  std::vector<Finding> out;
  std::vector<std::string> seen;
  for (const auto& p : facts.dx()) {
    if (!p.vif || !p.vif->mtu) continue;
    auto allowed = AllowedMtus(p.vif->virtualInterfaceType);
    if (allowed.empty() || std::find(allowed.begin(), allowed.end(), *p.vif->mtu) != allowed.end())
      continue;
    if (std::find(seen.begin(), seen.end(), p.subject.id) != seen.end()) continue;
    seen.push_back(p.subject.id);
    Finding f{.id = "dx.mtu.invalid-for-type", .severity = Severity::kWarning, .subject = p.subject};
    f.message = fmt::format("MTU {} is not one AWS offers on a {} VIF", *p.vif->mtu,
                            p.vif->virtualInterfaceType);
    f.evidence = {{"VIF mtu", std::to_string(*p.vif->mtu), fmt::format("{}", fmt::join(allowed, " or "))}};
    f.remedy = "Check the VIF description file is current: `aws directconnect "
               "describe-virtual-interfaces --virtual-interface-id " + p.vif->virtualInterfaceId + "`";
    f.weight = 20;
    out.push_back(std::move(f));
  }
  return out;
}

std::vector<Finding> CheckMtuMismatch(const Facts& facts, const Snapshot& s, const Snapshot*) {
  std::vector<Finding> out;
  for (const auto& p : facts.dx()) {
    if (auto z = ZeroConfigMtu(s, p)) out.push_back(std::move(*z));
    if (!p.vif || !p.vif->mtu || !p.iface || p.match != AddressMatch::kExact) continue;
    std::uint32_t want = *p.vif->mtu, have = p.iface->mtu;
    if (have == want || have == 0) continue;
    bool bigger = have > want;
    Finding f{.id = "dx.mtu.mismatch",
              .severity = bigger ? Severity::kCritical : Severity::kWarning,
              .subject = p.subject};
    f.message = bigger ? fmt::format("{} has MTU {}, larger than the VIF's {}: full-size packets "
                                     "and large BGP UPDATEs are dropped on the way",
                                     p.iface->name, have, want)
                       : fmt::format("{} has MTU {}, smaller than the VIF's {}", p.iface->name,
                                     have, want);
    f.evidence = {{fmt::format("MTU of {}", p.iface->name), std::to_string(have), std::to_string(want)}};
    for (const TcpSocket* t : p.sockets)
      if (t->state == "ESTABLISHED" && t->snd_mss)
        f.evidence.push_back({"BGP session MSS", std::to_string(*t->snd_mss),
                              std::to_string(want - TcpHeaderBytes(p.amazon ? p.amazon->family : 4))});
    // MTU rarely stops the OPEN; it breaks an established session later.
    f.weight = bigger ? (Established(p) ? 70 : 45) : 25;
    f.remedy = fmt::format("Match the VIF: VyOS `set interfaces {0} mtu {1}`; Linux `ip link set dev "
                           "{2} mtu {1}`. Verify: `ping -M do -s {3} {4}`",
                           VyosPath(s, *p.iface), want, p.iface->name,
                           want - EchoHeaderBytes(p.amazon ? p.amazon->family : 4),
                           p.amazon ? p.amazon->Address() : "PEER");
    out.push_back(std::move(f));
  }
  return out;
}

std::vector<Finding> CheckMtuParentSmaller(const Facts& facts, const Snapshot& s, const Snapshot*) {
  std::vector<Finding> out;
  for (const auto& p : facts.dx()) {
    if (!p.iface) continue;
    auto up = Ancestors(s, *p.iface);
    if (up.empty() || up.front()->mtu >= p.iface->mtu) continue;
    Finding f{.id = "dx.mtu.parent-smaller", .severity = Severity::kWarning, .subject = p.subject};
    f.message = fmt::format("{} (MTU {}) sits on {} with the smaller MTU {}", p.iface->name,
                            p.iface->mtu, up.front()->name, up.front()->mtu);
    f.evidence = {{fmt::format("MTU of {}", up.front()->name), std::to_string(up.front()->mtu),
                   fmt::format(">= {}", p.iface->mtu)}};
    f.remedy = fmt::format("Raise the parent first: VyOS `set interfaces {} mtu {}`. Verify: {}",
                           VyosPath(s, *up.front()), p.iface->mtu, ShowInterface(s, *up.front()));
    f.weight = 40;
    out.push_back(std::move(f));
  }
  return out;
}

std::vector<Finding> CheckMtuPath(const Facts& facts, const Snapshot& s, const Snapshot*) {
  std::vector<Finding> out;
  for (const auto& p : facts.dx()) {
    if (!p.amazon || !p.vif || !p.vif->mtu || *p.vif->mtu <= 1500) continue;
    const Probe *small = nullptr, *large = nullptr;
    for (const auto& pr : s.probes) {
      if (!pr.tunnel.empty()) continue;  // vpn --probe's
      auto t = ParseAddress(pr.target);
      if (!t || !t->SameAddress(*p.amazon)) continue;
      if (pr.size == 1500) small = &pr;
      if (pr.size == *p.vif->mtu) large = &pr;
    }
    if (!small || !large || !small->ok || large->ok) continue;
    // "local error: message too long" is our own interface's MTU speaking.
    if (large->detail.find("local error") != std::string::npos) continue;
    if (p.iface && p.iface->mtu < *p.vif->mtu) continue;
    Finding f{.id = "dx.mtu.path", .severity = Severity::kCritical, .subject = p.subject};
    f.message = fmt::format("a {}-byte packet with DF set does not reach {}, a 1500-byte one does: "
                            "the path does not carry the VIF's MTU", *p.vif->mtu, p.amazon->Address());
    f.evidence = {{"DF ping 1500 bytes", "answered", "answered"},
                  {fmt::format("DF ping {} bytes", *p.vif->mtu), large->detail.empty() ? "no answer" : large->detail,
                   "answered"}};
    f.remedy = fmt::format("Ask the carrier whether its handoff carries jumbo frames end to end; "
                           "until then set MTU 1500 on both sides. Verify: `ping -M do -s {} {}`",
                           *p.vif->mtu - EchoHeaderBytes(p.amazon->family), p.amazon->Address());
    f.weight = 75;
    out.push_back(std::move(f));
  }
  return out;
}

// --- BGP ---------------------------------------------------------------

std::vector<Finding> CheckBgpState(const Facts& facts, const Snapshot& s, const Snapshot*) {
  std::vector<Finding> out;
  if (s.Source(kSourceFrr).state != SourceState::kOk) return out;
  for (const auto& p : facts.dx()) {
    if (!p.amazon) continue;
    Finding f{.id = "dx.bgp.state", .subject = p.subject};
    if (!p.bgp) {
      f.severity = Severity::kCritical;
      f.message = fmt::format("FRR has no BGP neighbor {}", p.amazon->Address());
      f.evidence = {{"BGP neighbor", "not configured", p.amazon->Address()}};
      f.remedy = fmt::format("VyOS `set protocols bgp neighbor {0} remote-as {1}`; FRR `neighbor {0} "
                             "remote-as {1}`. Verify: `show ip bgp summary`",
                             p.amazon->Address(),
                             p.vif && p.vif->amazonSideAsn ? std::to_string(*p.vif->amazonSideAsn) : "AMAZON-ASN");
      f.weight = 83;
      out.push_back(std::move(f));
      continue;
    }
    const auto& b = *p.bgp;
    if (b.bgpState == "Established") continue;  // nothing to add to an ok verdict
    // Not established: the state tells which layer to look at (FACTS.md).
    std::string implies;
    if (b.bgpState == "Connect" || b.bgpState == "Active")
      implies = "no TCP session: layer 2/3 reachability, or an MD5 key mismatch (segments dropped "
                "silently)";
    else if (b.bgpState == "OpenSent" || b.bgpState == "OpenConfirm")
      implies = "TCP works but the OPEN is not accepted: AS numbers or capabilities";
    else
      implies = "the session is stopped or waiting to retry; see the last NOTIFICATION";
    f.severity = Severity::kCritical;
    f.message = fmt::format("BGP is {}: {}", b.bgpState, implies);
    f.evidence = {{"BGP state", b.bgpState, "Established"}, Notification(b),
                  {"OPENs sent/received", fmt::format("{}/{}", b.opensSent, b.opensRecv), ""}};
    f.remedy = "Fix the causes listed before this one. Verify: " + ShowNeighbor(p);
    f.weight = 5;  // a symptom: every real cause outranks it
    out.push_back(std::move(f));
  }
  return out;
}

// AWS's limit on prefixes sent to it, per address family: 100 on private
// and transit VIFs, 1,000 on public ones (Direct Connect quotas). AWS can
// raise it, so the operator's figure (--prefix-limit, edgediag.conf) wins.
// Above it AWS idles the session (Cease 6/1); at 80 % it is time to act.
std::vector<Finding> CheckBgpPrefixLimit(const Facts& facts, const Snapshot&, const Snapshot*) {
  std::vector<Finding> out;
  for (const auto& p : facts.dx()) {
    if (!p.bgp) continue;
    if (!p.vif) continue;  // the limit depends on the VIF type
    bool is_public = p.vif->virtualInterfaceType == "public";
    std::uint64_t limit = p.vif->prefix_limit ? *p.vif->prefix_limit : is_public ? 1000 : 100;
    std::string from = p.vif->prefix_limit
                           ? (p.vif->prefix_limit_source == "--prefix-limit"
                                  ? std::string("--prefix-limit")
                                  : "the operator's configuration " + p.vif->prefix_limit_source)
                           : fmt::format("AWS's default for a {} VIF", is_public ? "public" : "private or transit");
    // Cease 6/1 counts only when AWS sent it (a local maximum-prefix that
    // tripped on AWS's routes is another story).
    bool ceased = p.bgp->lastErrorCodeSubcode == "0601" &&
                  p.bgp->lastResetDueTo.find("received") != std::string::npos;
    // Per address family where FRR lists them, else the neighbour's total.
    std::vector<std::pair<std::string, std::uint64_t>> sent;
    for (const auto& af : p.bgp->addressFamilyInfo)
      if (af.sentPrefixCounter && (af.afi == "ipv4Unicast" || af.afi == "ipv6Unicast"))
        sent.emplace_back(af.afi == "ipv4Unicast" ? "IPv4" : "IPv6", *af.sentPrefixCounter);
    if (sent.empty() && p.bgp->prefixesSent) sent.emplace_back("", *p.bgp->prefixesSent);
    std::uint64_t most = 0;
    std::string most_af;
    for (const auto& [af, n] : sent)
      if (n >= most) {
        most = n;
        most_af = af;
      }
    bool over = most > limit;
    bool near = !over && limit > 0 && most * 5 >= limit * 4;  // 80 %
    if (!ceased && !over && !near) continue;
    Finding f{.id = "dx.bgp.prefix-limit",
              .severity = over || ceased ? Severity::kCritical : Severity::kWarning,
              .subject = p.subject};
    std::string what = most_af.empty() ? "prefixes" : most_af + " prefixes";
    if (over)
      f.message = fmt::format("the router advertises {} {}; AWS takes the session down above {} "
                              "per address family on this {} VIF",
                              most, what, limit, p.vif->virtualInterfaceType);
    else if (ceased)
      f.message = "the session was closed with Cease 6/1 (maximum number of prefixes reached)";
    else
      f.message = fmt::format("the router advertises {} {}, {} % of the limit of {}: a few more "
                              "and AWS takes the session down",
                              most, what, most * 100 / limit, limit);
    for (const auto& [af, n] : sent)
      f.evidence.push_back({af.empty() ? "prefixes advertised" : af + " prefixes advertised",
                            std::to_string(n),
                            over || ceased ? fmt::format("<= {}", limit)
                                           : fmt::format("< {} (80 % of {})", (limit * 4 + 4) / 5, limit)});
    if (sent.empty()) f.evidence.push_back({"prefixes advertised", "?", fmt::format("<= {}", limit)});
    f.evidence.push_back({"limit per address family", std::to_string(limit), "from " + from});
    f.evidence.push_back(Notification(*p.bgp));
    f.remedy = fmt::format("Summarise, or filter what is sent: VyOS `set protocols bgp neighbor {0} "
                           "address-family ipv4-unicast prefix-list export ...`; or ask AWS to "
                           "raise the limit and record it (`--prefix-limit N`, or `prefix-limit = "
                           "{1}=N` in edgediag.conf). Verify: `show ip bgp neighbors {0} "
                           "advertised-routes`",
                           p.amazon ? p.amazon->Address() : "PEER", p.vif->virtualInterfaceId);
    f.weight = over || ceased ? 88 : 40;
    out.push_back(std::move(f));
  }
  return out;
}

std::vector<Finding> CheckBgpMultihop(const Facts& facts, const Snapshot&, const Snapshot*) {
  std::vector<Finding> out;
  for (const auto& p : facts.dx()) {
    if (!p.bgp || (!p.bgp->ebgpMultihop && p.bgp->updateSource.empty())) continue;
    bool wrong_source = !p.bgp->updateSource.empty() && p.address &&
                        p.bgp->updateSource != p.address->address &&
                        p.bgp->updateSource != p.address->ifname;
    Finding f{.id = "dx.bgp.multihop",
              .severity = wrong_source ? Severity::kCritical : Severity::kWarning,
              .subject = p.subject};
    f.message = wrong_source
                    ? fmt::format("the session is sourced from {}, not the peering address: AWS "
                                  "peers only with the directly connected address",
                                  p.bgp->updateSource)
                    : "ebgp-multihop is configured toward a directly connected AWS peer (AWS uses TTL 1)";
    f.evidence = {{"ebgp-multihop", p.bgp->ebgpMultihop ? std::to_string(*p.bgp->ebgpMultihop) : "off", "off"},
                  {"update-source", p.bgp->updateSource.empty() ? "-" : p.bgp->updateSource,
                   "- (the peering address)"}};
    f.remedy = fmt::format("VyOS `delete protocols bgp neighbor {0} ebgp-multihop` and `delete "
                           "protocols bgp neighbor {0} update-source`. Verify: {1}",
                           p.amazon ? p.amazon->Address() : "PEER", ShowNeighbor(p));
    f.weight = wrong_source ? 80 : 15;
    out.push_back(std::move(f));
  }
  return out;
}

std::vector<Finding> CheckBgpFlapping(const Facts& facts, const Snapshot&, const Snapshot* prev) {
  std::vector<Finding> out;
  for (const auto& p : facts.dx()) {
    if (!p.bgp || p.bgp->connectionsDropped == 0) continue;
    const auto& b = *p.bgp;
    std::uint64_t drops = b.connectionsDropped;
    bool recent = false, seen_before = false;
    if (prev) {
      for (const auto& pb : prev->bgp_neighbors) {
        if (pb.address != b.address || pb.vrf != b.vrf) continue;
        seen_before = true;
        if (b.connectionsDropped > pb.connectionsDropped) {
          drops = b.connectionsDropped - pb.connectionsDropped;
          recent = true;
        }
      }
    }
    // Old drops that did not recur since the last look are history.
    if (seen_before && !recent) continue;
    bool hold = b.lastErrorCodeSubcode.rfind("04", 0) == 0 ||
                b.lastResetDueTo.find("Hold Timer") != std::string::npos ||
                b.lastNotificationReason.find("Hold Timer") != std::string::npos;
    // Only repeated drops, or drops since the last look, are flapping.
    if (!recent && drops < 3) continue;
    Finding f{.id = "dx.bgp.flapping",
              .severity = b.bgpState == "Established" ? Severity::kWarning : Severity::kCritical,
              .subject = p.subject};
    f.message = fmt::format("the session came up and dropped {} time(s){}{}", drops,
                            recent ? " since the last check" : "",
                            hold ? "; hold-timer expiry points at MTU: large UPDATEs are lost" : "");
    f.evidence = {{"established/dropped", fmt::format("{}/{}", b.connectionsEstablished, b.connectionsDropped),
                   "stable"},
                  Notification(b)};
    f.remedy = hold ? fmt::format("Check the MTU end to end (`ping -M do -s 1472 {0}`, and the VIF "
                                  "MTU); verify: {1}",
                                  p.amazon ? p.amazon->Address() : "PEER", ShowNeighbor(p))
                    : "Look at the last NOTIFICATION and the link's error counters. Verify: " +
                          ShowNeighbor(p);
    f.weight = hold ? 65 : 50;
    out.push_back(std::move(f));
  }
  return out;
}

std::vector<Finding> CheckResilienceSingleVif(const Facts& facts, const Snapshot& s, const Snapshot*) {
  std::vector<Finding> out;
  if (s.vifs.empty()) return out;
  std::vector<std::string> connections;
  for (const auto& v : s.vifs)
    if (std::find(connections.begin(), connections.end(), v.connectionId) == connections.end())
      connections.push_back(v.connectionId);
  if (connections.size() > 1) return out;
  for (const auto& p : facts.dx()) {
    if (!p.vif || !Established(p)) continue;
    Finding f{.id = "dx.resilience.single-vif", .severity = Severity::kInfo, .subject = p.subject};
    f.message = "no second VIF on a second connection: a failure of this connection or location "
                "has no failover";
    f.evidence = {{"Direct Connect connections with VIFs", std::to_string(connections.size()), ">= 2"}};
    f.remedy = "Add a VIF on a second connection at another Direct Connect location (AWS "
               "resiliency toolkit).";
    f.weight = 1;
    out.push_back(std::move(f));
    break;
  }
  return out;
}

}  // namespace edgediag::plugin

// dx.link.*, dx.vlan.*, dx.ip.*, dx.arp.*: is the VIF's layer 2 and 3 in
// place on the router? Sources: AWS Direct Connect user guide (802.1Q only,
// the address on the VLAN sub-interface), FACTS.md "AWS Direct Connect".
#include <fmt/format.h>

#include "plugin/dx_match.h"
#include "plugin/dx_rules.h"
#include "plugin/facts.h"

namespace edgediag::plugin {
namespace {

std::string Tag(const Interface& i) {
  if (!i.vlan_id) return "untagged";
  bool qinq = i.vlan_protocol && *i.vlan_protocol == 0x88a8;
  return fmt::format("VLAN {} ({})", *i.vlan_id, qinq ? "802.1ad" : "802.1Q");
}

}  // namespace

std::string ShowInterface(const Snapshot& s, const Interface& i) {
  return fmt::format("VyOS: `show interfaces {}`; Linux: `ip -d link show dev {}`", VyosPath(s, i),
                     i.name);
}

std::string ExpectedPath(const Snapshot& s, const DxPeering& p) {
  // Prefer the parent the wrong interface hangs off, so the command is exact.
  std::string parent = "eth1";
  if (p.iface) {
    auto up = Ancestors(s, *p.iface);
    parent = up.empty() ? p.iface->name : up.back()->name;
  }
  return fmt::format("ethernet {} vif {}", parent, p.vlan);
}

std::vector<Finding> CheckLinkDown(const Facts& facts, const Snapshot& s, const Snapshot*) {
  std::vector<Finding> out;
  for (const auto& p : facts.dx()) {
    if (!p.iface) continue;
    auto chain = Ancestors(s, *p.iface);
    chain.insert(chain.begin(), p.iface);
    for (const Interface* i : chain) {
      if (i->admin_up && i->carrier) continue;
      const Interface& port = *chain.back();
      bool admin = !i->admin_up;
      Finding f{.id = "dx.link.down", .severity = Severity::kCritical, .subject = p.subject};
      f.message = admin ? fmt::format("{} is administratively down", i->name)
                        : fmt::format("{} has no carrier: the cross-connect is not lit or not "
                                      "plugged in here", i->name);
      f.evidence = {{fmt::format("{} state", i->name),
                     fmt::format("admin {}, carrier {}, operstate {}", i->admin_up ? "up" : "down",
                                 i->carrier ? "yes" : "no", i->operstate),
                     "admin up, carrier yes"}};
      f.remedy = admin ? fmt::format("Enable it: VyOS `delete interfaces {} disable`; Linux `ip "
                                     "link set dev {} up`. Verify: {}",
                                     VyosPath(s, *i), i->name, ShowInterface(s, *i))
                       : fmt::format("Check the optic and the patch to the carrier or AWS "
                                     "cage on {} (light levels: `ethtool -m {}`); verify: {}",
                                     port.name, port.name, ShowInterface(s, port));
      f.weight = 95;  // nothing above layer 1 can work while this holds
      out.push_back(std::move(f));
      break;
    }
  }
  return out;
}

std::vector<Finding> CheckOpticsLow(const Facts& facts, const Snapshot& s, const Snapshot*) {
  std::vector<Finding> out;
  for (const auto& p : facts.dx()) {
    if (!p.iface) continue;
    auto chain = Ancestors(s, *p.iface);
    const Interface& port = chain.empty() ? *p.iface : *chain.back();
    if (!port.rx_power_mw || !port.rx_power_low_alarm_mw) continue;
    if (*port.rx_power_mw >= *port.rx_power_low_alarm_mw) continue;
    Finding f{.id = "dx.link.optics-low", .severity = Severity::kWarning, .subject = p.subject};
    f.message = fmt::format("receive optical power on {} is below the module's low alarm", port.name);
    f.evidence = {{"receive power", fmt::format("{:.4f} mW", *port.rx_power_mw),
                   fmt::format(">= {:.4f} mW", *port.rx_power_low_alarm_mw)}};
    f.remedy = fmt::format("Clean or replace the optic/patch; compare with the AWS "
                           "ConnectionLightLevelRx metric. Verify: `ethtool -m {}`", port.name);
    f.weight = 60;
    out.push_back(std::move(f));
  }
  return out;
}

std::vector<Finding> CheckVlanUntagged(const Facts& facts, const Snapshot& s, const Snapshot*) {
  std::vector<Finding> out;
  for (const auto& p : facts.dx()) {
    if (!p.iface || !p.address || p.vlan == 0) continue;
    if (p.iface->vlan_id || p.iface->kind == "vlan") continue;
    Finding f{.id = "dx.vlan.untagged", .severity = Severity::kCritical, .subject = p.subject};
    f.message = fmt::format("the peering address {}/{} is on the untagged port {}, but AWS sends "
                            "the VIF on 802.1Q VLAN {}",
                            p.address->address, p.address->prefixlen, p.iface->name, p.vlan);
    f.evidence = {{"interface holding the address", fmt::format("{} (untagged)", p.iface->name),
                   fmt::format("a VLAN {} sub-interface of {}", p.vlan, p.iface->name)}};
    f.remedy = fmt::format(
        "Move the address onto a VLAN {0} sub-interface. VyOS: `delete interfaces {1} address "
        "{2}/{3}`, `set interfaces ethernet {4} vif {0} address {2}/{3}`; Linux: `ip link add "
        "link {4} name {4}.{0} type vlan id {0}` and move the address. Verify: `show interfaces "
        "ethernet {4} vif {0}` / `ip -d addr show dev {4}.{0}`",
        p.vlan, VyosPath(s, *p.iface), p.address->address, p.address->prefixlen, p.iface->name);
    f.weight = 90;
    out.push_back(std::move(f));
  }
  return out;
}

std::vector<Finding> CheckVlanMismatch(const Facts& facts, const Snapshot& s, const Snapshot*) {
  std::vector<Finding> out;
  for (const auto& p : facts.dx()) {
    if (!p.iface || !p.address || p.vlan == 0 || !p.iface->vlan_id) continue;
    if (*p.iface->vlan_id == p.vlan) continue;
    Finding f{.id = "dx.vlan.mismatch", .severity = Severity::kCritical, .subject = p.subject};
    f.message = fmt::format("the peering address sits on {} tagged VLAN {}, but the VIF uses VLAN {}",
                            p.iface->name, *p.iface->vlan_id, p.vlan);
    f.evidence = {{fmt::format("VLAN id of {}", p.iface->name), std::to_string(*p.iface->vlan_id),
                   fmt::format("{} (VIF {})", p.vlan, p.subject.id)}};
    auto up = Ancestors(s, *p.iface);
    std::string parent = up.empty() ? "PARENT" : up.front()->name;
    f.remedy = fmt::format(
        "Put the peering on VLAN {0}. VyOS: `delete interfaces {1} address {2}/{3}` and `set "
        "interfaces ethernet {4} vif {0} address {2}/{3}`; Linux: `ip link add link {4} name "
        "{4}.{0} type vlan id {0}` and move the address there. If a carrier sits between, "
        "confirm in writing which VLAN it presents at your handoff. Verify: `show interfaces "
        "ethernet {4} vif {0}` / `ip -d link show dev {4}.{0}`",
        p.vlan, VyosPath(s, *p.iface), p.address->address, p.address->prefixlen, parent);
    f.weight = 90;
    out.push_back(std::move(f));
  }
  return out;
}

std::vector<Finding> CheckVlanQinq(const Facts& facts, const Snapshot& s, const Snapshot*) {
  std::vector<Finding> out;
  for (const auto& p : facts.dx()) {
    if (!p.iface || !p.iface->vlan_id) continue;
    bool ad = p.iface->vlan_protocol && *p.iface->vlan_protocol == 0x88a8;
    const Interface* outer = nullptr;
    for (const Interface* a : Ancestors(s, *p.iface))
      if (a->vlan_id) outer = a;
    if (!ad && !outer) continue;
    Finding f{.id = "dx.vlan.qinq", .severity = Severity::kCritical, .subject = p.subject};
    std::string tags = outer ? fmt::format("{} inside {} on {}", Tag(*p.iface), Tag(*outer), outer->name)
                             : Tag(*p.iface);
    f.message = fmt::format("frames toward the VIF leave {} double-tagged or 802.1ad-tagged; AWS "
                            "Direct Connect accepts a single 802.1Q tag only", p.iface->name);
    f.evidence = {{fmt::format("tags on {}", p.iface->name), tags,
                   fmt::format("one 802.1Q tag, VLAN {}", p.vlan ? p.vlan : *p.iface->vlan_id)}};
    f.remedy = fmt::format(
        "Use a plain 802.1Q sub-interface: VyOS `set interfaces ethernet PARENT vif {0}` (not "
        "vif-s/vif-c); Linux `ip link add link PARENT name PARENT.{0} type vlan proto 802.1Q id "
        "{0}`. Verify: {1}",
        p.vlan ? p.vlan : *p.iface->vlan_id, ShowInterface(s, *p.iface));
    f.weight = 92;
    out.push_back(std::move(f));
  }
  return out;
}

std::vector<Finding> CheckVlanShared(const Facts& facts, const Snapshot& s, const Snapshot*) {
  std::vector<Finding> out;
  auto all = facts.dx();
  for (const auto& p : all) {
    if (!p.iface || !p.address || !p.iface->vlan_id) continue;
    std::vector<std::string> others;
    for (const auto& a : s.addresses) {
      if (a.ifindex != p.iface->ifindex && a.ifname != p.iface->name) continue;
      auto r = ParseAddress(a.address, a.prefixlen);
      if (!r || (r->family == 6 && r->bytes[0] == 0xfe && (r->bytes[1] & 0xc0) == 0x80)) continue;
      bool ours = false;
      for (const auto& q : all)
        if (q.vif == p.vif && q.amazon && (q.amazon->Contains(*r) || r->Contains(*q.amazon)))
          ours = true;
      if (!ours) others.push_back(fmt::format("{}/{}", a.address, a.prefixlen));
    }
    if (others.empty()) continue;
    Finding f{.id = "dx.vlan.shared", .severity = Severity::kWarning, .subject = p.subject};
    f.message = fmt::format("{} carries other networks besides the VIF's peering", p.iface->name);
    f.evidence = {{fmt::format("other addresses on {}", p.iface->name), fmt::format("{}", fmt::join(others, ", ")),
                   "only the VIF's peer addresses"}};
    f.remedy = fmt::format("Give the VIF a dedicated sub-interface; AWS's sample configuration "
                           "assumes one. Verify: {}", ShowInterface(s, *p.iface));
    f.weight = 20;
    out.push_back(std::move(f));
  }
  return out;
}

// dx.ip.*: how the router's address relates to the VIF's, as MatchDx
// classified it; the one finding that applies per peering.
std::vector<Finding> CheckIp(const Facts& facts, const Snapshot& s, const Snapshot*) {
  std::vector<Finding> out;
  // Without the address dump every address would look missing.
  if (!DumpOk(s, kSourceAddresses)) return out;
  for (const auto& p : facts.dx()) {
    if (p.match == AddressMatch::kExact || !p.customer || !p.amazon) continue;
    const AddressMatch want = p.match;
    // Zero-config peerings are defined by the router's own address: only
    // a VIF description can say the address is wrong.
    if (!p.vif) continue;
    std::string expected = fmt::format("{} (Amazon: {})", p.expected.customerAddress, p.expected.amazonAddress);
    std::string where = p.iface ? VyosPath(s, *p.iface) : ExpectedPath(s, p);
    Finding f{.severity = Severity::kCritical, .subject = p.subject};
    f.weight = 85;
    switch (want) {
      case AddressMatch::kMissing:
        f.id = "dx.ip.missing";
        f.message = p.iface ? fmt::format("no address of the VIF's peer subnet on {} (VLAN {})",
                                          p.iface->name, p.vlan)
                            : fmt::format("no interface holds an address of the VIF's peer subnet {}",
                                          p.amazon->Network().ToString());
        f.evidence = {{"router address in the peer subnet", "none", expected}};
        f.remedy = fmt::format("VyOS: `set interfaces {} address {}`; Linux: `ip addr add {} dev "
                               "IF.{}`. Verify: `show interfaces` / `ip -br addr`",
                               where, p.expected.customerAddress, p.expected.customerAddress, p.vlan);
        break;
      case AddressMatch::kWrongAddress:
        f.id = "dx.ip.wrong-address";
        f.message = fmt::format("{} holds {}/{}, not the VIF's customer address {}", p.address->ifname,
                                p.address->address, p.address->prefixlen, p.expected.customerAddress);
        f.evidence = {{fmt::format("address on {}", p.address->ifname),
                       fmt::format("{}/{}", p.address->address, p.address->prefixlen), expected}};
        f.remedy = fmt::format("Use the address AWS assigned (read it from the VIF, not the LOA): "
                               "VyOS `delete interfaces {0} address {1}/{2}` and `set interfaces {0} "
                               "address {3}`; Linux `ip addr replace {3} dev {4}`. Verify: `ping {5}`",
                               where, p.address->address, p.address->prefixlen,
                               p.expected.customerAddress, p.address->ifname, p.amazon->Address());
        break;
      case AddressMatch::kWrongPrefix: {
        f.id = "dx.ip.wrong-prefix";
        auto router = ParseAddress(p.address->address, p.address->prefixlen);
        bool reaches = router && router->Contains(*p.amazon);
        f.severity = reaches ? Severity::kWarning : Severity::kCritical;
        f.weight = reaches ? 40 : 85;
        f.message = fmt::format("{} has the right address with prefix length /{}, the VIF uses /{}{}",
                                p.address->ifname, p.address->prefixlen, p.customer->len,
                                reaches ? "" : fmt::format(": {} is outside the router's subnet",
                                                           p.amazon->Address()));
        f.evidence = {{fmt::format("address on {}", p.address->ifname),
                       fmt::format("{}/{}", p.address->address, p.address->prefixlen), expected}};
        f.remedy = fmt::format("VyOS: `delete interfaces {0} address {1}/{2}`, `set interfaces {0} "
                               "address {3}`; Linux: `ip addr del {1}/{2} dev {4}; ip addr add {3} "
                               "dev {4}`. Verify: `ip -br addr show dev {4}`",
                               where, p.address->address, p.address->prefixlen,
                               p.expected.customerAddress, p.address->ifname);
        break;
      }
      case AddressMatch::kSwapped:
        f.id = "dx.ip.swapped";
        f.message = fmt::format("{} holds the Amazon address {}: customer and Amazon addresses are "
                                "swapped", p.address->ifname, p.amazon->Address());
        f.evidence = {{fmt::format("address on {}", p.address->ifname),
                       fmt::format("{}/{}", p.address->address, p.address->prefixlen), expected}};
        f.remedy = fmt::format("Swap them: VyOS `delete interfaces {0} address {1}/{2}`, `set "
                               "interfaces {0} address {3}`, and the BGP neighbor must be {4}; "
                               "Linux `ip addr replace {3} dev {5}`. Verify: `show ip bgp neighbors {4}`",
                               where, p.address->address, p.address->prefixlen,
                               p.expected.customerAddress, p.amazon->Address(), p.address->ifname);
        f.weight = 88;
        break;
      case AddressMatch::kExact:
        break;
    }
    out.push_back(std::move(f));
  }
  return out;
}

std::vector<Finding> CheckArpUnresolved(const Facts& facts, const Snapshot& s, const Snapshot*) {
  std::vector<Finding> out;
  for (const auto& p : facts.dx()) {
    if (!p.neighbour || !p.amazon) continue;
    if (p.neighbour->state != "FAILED" && p.neighbour->state != "INCOMPLETE") continue;
    // When the router's own tag and address are right, the fault is past the
    // router: the carrier's handoff (VLAN translation, Q-in-Q) is the usual
    // culprit, and the router alone cannot see the carrier's tags.
    bool router_ok = p.match == AddressMatch::kExact && p.iface && p.iface->vlan_id &&
                     (p.vlan == 0 || *p.iface->vlan_id == p.vlan) &&
                     !(p.iface->vlan_protocol && *p.iface->vlan_protocol == 0x88a8) &&
                     Ancestors(s, *p.iface).size() <= 1 && p.iface->carrier;
    Finding f{.id = "dx.arp.unresolved", .severity = Severity::kCritical, .subject = p.subject};
    const char* nd = p.amazon->family == 6 ? "ND" : "ARP";
    f.message = fmt::format("{} for the Amazon peer {} does not resolve on {}", nd,
                            p.amazon->Address(), p.neighbour->ifname);
    f.evidence = {{fmt::format("{} entry of {}", nd, p.amazon->Address()), p.neighbour->state,
                   "REACHABLE or STALE with a MAC address"}};
    if (router_ok) {
      f.message += p.vif ? "; the router's VLAN and address match the VIF, so the frames are "
                           "lost beyond it"
                         : "; the router's side looks consistent (no VIF description to compare "
                           "with), so the frames are likely lost beyond it";
      f.remedy = fmt::format(
          "Ask the carrier/cross-connect provider to confirm the handoff: VLAN {} presented as "
          "a single 802.1Q tag end to end — no VLAN translation, no Q-in-Q (AWS supports "
          "neither). Capture on the port to see what arrives: `tcpdump -eni {} vlan`. Verify: "
          "VyOS `show arp interface {}` / Linux `ip neigh show {}`",
          p.vlan ? p.vlan : (p.iface->vlan_id ? *p.iface->vlan_id : 0),
          Ancestors(s, *p.iface).empty() ? p.iface->name : Ancestors(s, *p.iface).back()->name,
          p.iface->name, p.amazon->Address());
      f.weight = 80;
    } else {
      f.message += " (the router's own VLAN, address or link does not match the VIF: see "
                   "the other findings)";
      f.remedy = fmt::format("Fix the router's side first, then verify: `ping {}` and `ip neigh "
                             "show {}`",
                             p.amazon->Address(), p.amazon->Address());
      f.weight = 10;
    }
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace edgediag::plugin

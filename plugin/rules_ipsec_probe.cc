// ipsec.probe.no-reply: `vpn --probe` sent echoes through an INSTALLED
// CHILD SA and none came back (plugin/vpn_probe.h chose the target).
#include <fmt/format.h>

#include "plugin/ipsec_model.h"
#include "plugin/ipsec_rules.h"
#include "plugin/vpn_common.h"

namespace edgediag::plugin {

std::vector<Finding> CheckIpsecProbeNoReply(const Facts& facts, const Snapshot& s,
                                            const Snapshot*) {
  std::vector<Finding> out;
  for (const auto& pr : s.probes) {
    if (pr.child.empty() || pr.df || pr.sent == 0 || pr.received != 0) continue;
    // Judged only while the control plane still looks up: the SA probed is
    // INSTALLED under an established IKE SA.
    const ActiveChild* active = nullptr;
    for (const auto& a : facts.ipsec_children())
      if (a.ike->name == pr.tunnel && a.child->name == pr.child) active = &a;
    if (!active) continue;
    bool operator_target = pr.origin == "operator";
    Finding f{.id = "ipsec.probe.no-reply",
              .severity = operator_target ? Severity::kCritical : Severity::kWarning,
              .subject = ConnectionSubject(s, pr.tunnel),
              .weight = operator_target ? 70 : 40};
    f.message = fmt::format(
        "CHILD SA {} is INSTALLED, yet {} echo requests from {} to {} through it got no reply: "
        "the tunnel does not carry traffic{}",
        pr.child, pr.sent, pr.source.empty() ? pr.dev : pr.source, pr.target,
        operator_target ? "" : " (or the derived target does not answer ICMP)");
    const ChildSa& c = *active->child;
    f.evidence = {
        {"probe", fmt::format("{} echo requests sent, {} replies", pr.sent, pr.received),
         "replies"},
        {"source / target",
         fmt::format("{} -> {} ({} target)", pr.source.empty() ? pr.dev : pr.source, pr.target,
                     pr.origin),
         "a source inside the local selector, a host behind the peer"},
        {"CHILD SA", fmt::format("{}, bytes in / out {} / {}", c.state, FormatBytes(c.bytes_in),
                                 FormatBytes(c.bytes_out)),
         "INSTALLED, both growing"}};
    f.remedy = fmt::format(
        "The control plane is up but packets do not get through. Look at bytes-in while you "
        "ping: flat means the far side does not send back (its policy, routes or firewall for "
        "our selector), rising means our side drops the replies (a firewall on the XFRM input, "
        "rp_filter, or a missing route back). {}Verify: `ping -I {} {}`; Linux `swanctl "
        "--list-sas --ike {}` twice, `ip -s xfrm state`; VyOS `show vpn ipsec sa`",
        operator_target ? "" :
                          "The target was derived from the selector or the VTI: if that host "
                          "filters ICMP, give one that answers with --probe-target " +
                              pr.tunnel + "=ADDR. ",
        pr.source.empty() ? pr.dev : pr.source, pr.target, pr.tunnel);
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace edgediag::plugin

// XFRM collector: the kernel's IPsec states (SAs) and policies. Key
// material (XFRMA_ALG_*) is never read.
#include <linux/netlink.h>

#include <chrono>

#include "netlink/socket.h"
#include "netlink/xfrm.h"
#include "plugin/capture.h"
#include "plugin/source_status.h"

namespace edgediag::plugin {
namespace {

namespace nl = edgediag::netlink;

XfrmState FromSa(const nl::XfrmSa& sa) {
  XfrmState x;
  x.src = sa.saddr;
  x.dst = sa.daddr;
  x.proto = nl::XfrmProtoName(sa.proto);
  x.spi = sa.spi;
  x.reqid = sa.reqid;
  x.mode = nl::XfrmModeName(sa.mode);
  x.encap_sport = sa.encap_sport;
  x.encap_dport = sa.encap_dport;
  x.if_id = sa.if_id;
  x.bytes = sa.curlft_bytes;
  x.packets = sa.curlft_packets;
  return x;
}

XfrmPolicy FromPolicy(const nl::XfrmPolicyInfo& p) {
  XfrmPolicy x;
  x.src = p.sel.saddr;
  x.dst = p.sel.daddr;
  x.dir = nl::XfrmDirName(p.dir);
  x.action = nl::XfrmActionName(p.action);
  x.priority = p.priority;
  if (!p.tmpl.empty()) {
    x.tmpl_src = p.tmpl.front().saddr;
    x.tmpl_dst = p.tmpl.front().daddr;
    x.reqid = p.tmpl.front().reqid;
  }
  x.if_id = p.if_id;
  return x;
}

}  // namespace

void CaptureXfrm(Snapshot& snapshot, const CaptureOptions& options) {
  auto sock = nl::NetlinkSocket::Open(NETLINK_XFRM, std::chrono::milliseconds(options.timeout_ms));
  if (!sock) {
    snapshot.sources[kSourceXfrm] =
        sock.error().code == Error::Code::kUnavailable
            ? SourceStatus{SourceState::kUnavailable, "kernel without XFRM netlink (CONFIG_XFRM_USER)"}
            : StatusFromError(sock.error());
    return;
  }
  auto states = nl::ReadXfrmStates(*sock);
  if (!states) {
    snapshot.sources[kSourceXfrm] = StatusFromError(states.error());
    return;
  }
  auto policies = nl::ReadXfrmPolicies(*sock);
  if (!policies) {
    snapshot.sources[kSourceXfrm] = StatusFromError(policies.error());
    return;
  }
  for (const auto& sa : states->items) snapshot.xfrm_states.push_back(FromSa(sa));
  for (const auto& p : policies->items) snapshot.xfrm_policies.push_back(FromPolicy(p));
  std::vector<std::string> warnings = std::move(states->warnings);
  for (auto& w : policies->warnings) warnings.push_back(std::move(w));
  snapshot.sources[kSourceXfrm] = {SourceState::kOk, "", std::move(warnings)};
}

}  // namespace edgediag::plugin

// WireGuard collector: every interface of kind "wireguard" (from rtnetlink),
// dumped over generic netlink. Keys other than public ones never leave the
// netlink buffer.
#include <linux/netlink.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <chrono>

#include "netlink/genl.h"
#include "netlink/rtnetlink.h"
#include "netlink/socket.h"
#include "netlink/wireguard.h"
#include "plugin/capture.h"
#include "plugin/source_status.h"

namespace edgediag::plugin {
namespace {

namespace nl = edgediag::netlink;

WgInterface FromDevice(nl::WgDevice&& d) {
  WgInterface w;
  w.name = std::move(d.ifname);
  w.ifindex = d.ifindex;
  w.public_key = std::move(d.public_key);
  w.listen_port = d.listen_port;
  w.fwmark = d.fwmark;
  w.peers.reserve(d.peers.size());
  for (auto& p : d.peers) {
    WgPeer peer;
    peer.public_key = std::move(p.public_key);
    peer.endpoint = std::move(p.endpoint);
    peer.allowed_ips.reserve(p.allowedips.size());
    for (auto& a : p.allowedips) {
      // "ADDR/LEN" in the address's own string: no temporaries.
      std::string cidr = std::move(a.ipaddr);
      cidr += '/';
      cidr += std::to_string(a.cidr_mask);
      peer.allowed_ips.push_back(std::move(cidr));
    }
    peer.last_handshake = p.last_handshake_time_sec;
    peer.rx_bytes = p.rx_bytes;
    peer.tx_bytes = p.tx_bytes;
    peer.persistent_keepalive = p.persistent_keepalive_interval;
    w.peers.push_back(std::move(peer));
  }
  return w;
}

// WireGuard interfaces by name: from the kernel source when it ran, else from
// a link dump of our own, of that kind only (Capture reads WireGuard beside
// the kernel, on its own thread).
Result<std::vector<std::string>> WireguardInterfaces(const Snapshot& s,
                                                     std::chrono::milliseconds timeout) {
  std::vector<std::string> names;
  if (s.Source(kSourceKernel).state == SourceState::kOk) {
    for (const auto& i : s.interfaces)
      if (i.kind == "wireguard") names.push_back(i.name);
    return names;
  }
  auto rtnl = nl::NetlinkSocket::Open(NETLINK_ROUTE, timeout);
  if (!rtnl) return rtnl.error();
  auto links = nl::ReadLinksOfKind(*rtnl, "wireguard");
  if (!links) return links.error();
  for (const auto& l : links->items)
    if (l.kind == "wireguard") names.push_back(l.ifname);
  return names;
}

}  // namespace

void CaptureWireguard(Snapshot& snapshot, const CaptureOptions& options) {
  const std::chrono::milliseconds timeout(options.timeout_ms);
  // The links first: with no WireGuard interface there is nothing to ask
  // the family, and asking would change the router. The kernel answers a
  // CTRL_CMD_GETFAMILY for an unknown family by loading its module
  // (request_module "net-pf-16-proto-16-family-wireguard"), so a router
  // without WireGuard would have it loaded by a read-only tool.
  auto names = WireguardInterfaces(snapshot, timeout);
  if (!names) {
    snapshot.sources[kSourceWireguard] = StatusFromError(names.error());
    return;
  }
  if (names->empty()) {
    // A loaded module has its /sys/module entry; without one, say so
    // (wg.module.missing, information only: there is no interface either).
    struct stat st {};
    snapshot.sources[kSourceWireguard] =
        stat("/sys/module/wireguard", &st) == 0
            ? SourceStatus{SourceState::kOk, ""}
            : SourceStatus{SourceState::kUnavailable,
                           "WireGuard module not loaded (modprobe wireguard)"};
    return;
  }
  auto genl = nl::NetlinkSocket::Open(NETLINK_GENERIC, timeout);
  if (!genl) {
    snapshot.sources[kSourceWireguard] = StatusFromError(genl.error());
    return;
  }
  auto family = nl::ResolveFamily(*genl, "wireguard");
  if (!family) {
    snapshot.sources[kSourceWireguard] =
        family.error().code == Error::Code::kUnavailable
            ? SourceStatus{SourceState::kUnavailable,
                           "WireGuard module not loaded (modprobe wireguard)"}
            : StatusFromError(family.error());
    return;
  }
  std::vector<std::string> warnings;
  for (const auto& name : *names) {
    auto dev = nl::ReadWgDevice(*genl, *family, name);
    if (!dev) {
      // The interface went away between the two dumps: nothing to report.
      if (dev.error().code == Error::Code::kUnavailable || dev.error().what.find("No such device") != std::string::npos)
        continue;
      snapshot.sources[kSourceWireguard] =
          dev.error().code == Error::Code::kPermissionDenied
              ? SourceStatus{SourceState::kPermissionDenied,
                             "reading WireGuard devices needs CAP_NET_ADMIN (run as root)"}
              : StatusFromError(dev.error());
      return;
    }
    snapshot.wireguard.push_back(FromDevice(std::move(dev->items.front())));
    for (auto& w : dev->warnings) warnings.push_back(name + ": " + std::move(w));
  }
  snapshot.sources[kSourceWireguard] = {SourceState::kOk, "", std::move(warnings)};
}

}  // namespace edgediag::plugin

// WireGuard collector: every interface of kind "wireguard" (from rtnetlink),
// dumped over generic netlink, and every userspace implementation's UAPI
// socket (/var/run/wireguard/IFNAME.sock); then the peers' friendly names and
// configured endpoints from the configuration files (plugin/wg_config.h).
// Keys other than public ones never leave the netlink buffer or the UAPI
// reply.
#include <dirent.h>
#include <linux/netlink.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <algorithm>
#include <chrono>

#include "netlink/genl.h"
#include "netlink/rtnetlink.h"
#include "netlink/socket.h"
#include "netlink/wg_uapi.h"
#include "netlink/wireguard.h"
#include "plugin/capture.h"
#include "plugin/source_status.h"
#include "plugin/wg_config.h"

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

// The kernel's WireGuard interfaces, over generic netlink: the status of
// that part.
SourceStatus CaptureKernelWireguard(Snapshot& snapshot, const CaptureOptions& options,
                                    std::vector<std::string>& warnings) {
  const std::chrono::milliseconds timeout(options.timeout_ms);
  // The links first: with no WireGuard interface there is nothing to ask
  // the family, and asking would change the router. The kernel answers a
  // CTRL_CMD_GETFAMILY for an unknown family by loading its module
  // (request_module "net-pf-16-proto-16-family-wireguard"), so a router
  // without WireGuard would have it loaded by a read-only tool.
  auto names = WireguardInterfaces(snapshot, timeout);
  if (!names) return StatusFromError(names.error());
  if (names->empty()) {
    // A loaded module has its /sys/module entry; without one, say so
    // (wg.module.missing, information only: there is no interface either).
    struct stat st {};
    return stat("/sys/module/wireguard", &st) == 0
               ? SourceStatus{SourceState::kOk, ""}
               : SourceStatus{SourceState::kUnavailable,
                              "WireGuard module not loaded (modprobe wireguard)"};
  }
  auto genl = nl::NetlinkSocket::Open(NETLINK_GENERIC, timeout);
  if (!genl) return StatusFromError(genl.error());
  auto family = nl::ResolveFamily(*genl, "wireguard");
  if (!family)
    return family.error().code == Error::Code::kUnavailable
               ? SourceStatus{SourceState::kUnavailable,
                              "WireGuard module not loaded (modprobe wireguard)"}
               : StatusFromError(family.error());
  for (const auto& name : *names) {
    auto dev = nl::ReadWgDevice(*genl, *family, name);
    if (!dev) {
      // The interface went away between the two dumps: nothing to report.
      if (dev.error().code == Error::Code::kUnavailable ||
          dev.error().what.find("No such device") != std::string::npos)
        continue;
      return dev.error().code == Error::Code::kPermissionDenied
                 ? SourceStatus{SourceState::kPermissionDenied,
                                "reading WireGuard devices needs CAP_NET_ADMIN (run as root)"}
                 : StatusFromError(dev.error());
    }
    snapshot.wireguard.push_back(FromDevice(std::move(dev->items.front())));
    for (auto& w : dev->warnings) warnings.push_back(name + ": " + std::move(w));
  }
  return {SourceState::kOk, ""};
}

// Userspace interfaces: every IFNAME.sock in the UAPI directory that the
// kernel did not already answer for. Returns how many were read.
std::size_t CaptureUserspaceWireguard(Snapshot& snapshot, const CaptureOptions& options,
                                      std::vector<std::string>& warnings, bool* denied) {
  std::vector<std::string> socks;
  if (DIR* d = opendir(options.wg_uapi_dir.c_str())) {
    while (dirent* e = readdir(d)) {
      std::string n = e->d_name;
      if (n.size() > 5 && n.ends_with(".sock")) socks.push_back(n.substr(0, n.size() - 5));
    }
    closedir(d);
  }
  std::sort(socks.begin(), socks.end());
  std::size_t read = 0;
  for (const auto& name : socks) {
    if (std::any_of(snapshot.wireguard.begin(), snapshot.wireguard.end(),
                    [&](const WgInterface& w) { return w.name == name; }))
      continue;
    auto dev = nl::ReadUapiDevice(options.wg_uapi_dir + "/" + name + ".sock", name,
                                  std::chrono::milliseconds(options.timeout_ms));
    if (!dev) {
      // A socket left behind by an implementation that exited: ECONNREFUSED.
      if (dev.error().code == Error::Code::kUnavailable) continue;
      if (dev.error().code == Error::Code::kPermissionDenied) *denied = true;
      warnings.push_back(name + ": " + dev.error().what);
      continue;
    }
    WgInterface w = FromDevice(std::move(*dev));
    w.userspace = true;
    snapshot.wireguard.push_back(std::move(w));
    ++read;
  }
  return read;
}

}  // namespace

void CaptureWireguard(Snapshot& snapshot, const CaptureOptions& options) {
  std::vector<std::string> warnings;
  SourceStatus kernel = CaptureKernelWireguard(snapshot, options, warnings);
  bool denied = false;
  std::size_t userspace = CaptureUserspaceWireguard(snapshot, options, warnings, &denied);
  ApplyWireguardConfig(
      ReadWireguardConfig(WgConfigPaths::Under(options.wg_config_root), &warnings),
      snapshot.wireguard);
  if (kernel.state != SourceState::kOk && userspace == 0) {
    if (denied && kernel.state == SourceState::kUnavailable)
      kernel = {SourceState::kPermissionDenied,
                "reading WireGuard's UAPI sockets needs root (run as root)"};
    kernel.warnings = std::move(warnings);
    snapshot.sources[kSourceWireguard] = std::move(kernel);
    return;
  }
  // Userspace interfaces were read where the kernel's part failed: say why
  // the kernel's are missing.
  if (kernel.state != SourceState::kOk) warnings.push_back("kernel: " + kernel.reason);
  snapshot.sources[kSourceWireguard] = {SourceState::kOk, "", std::move(warnings)};
}

}  // namespace edgediag::plugin

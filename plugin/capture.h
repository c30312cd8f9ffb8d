// Capture: fills a Snapshot from the live system. Each source is captured on
// its own and records its status in Snapshot::sources; a source that fails
// is data ("unavailable: why"), never an abort, so every other check runs.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "plugin/report.h"
#include "plugin/snapshot.h"

namespace edgediag::plugin {

struct CaptureOptions {
  bool kernel = true;     ///< links, addresses, neighbours, routes, counters
  bool neighbours = true;  ///< with kernel: ARP/ND (dx: the Amazon peer's)
  bool sockets = true;    ///< with kernel: BGP's TCP sockets and their MD5 keys (dx)
  bool optics = true;     ///< with kernel: optical module diagnostics (dx)
  bool wireguard = true;  ///< generic netlink WireGuard
  bool xfrm = true;       ///< XFRM states and policies
  bool frr = true;        ///< vtysh show bgp neighbors json
  bool vici = true;       ///< strongSwan over VICI
  bool nftables = true;   ///< source-NAT rules
  std::string vici_socket = "/var/run/charon.vici";
  /// Userspace WireGuard's UAPI sockets (wireguard-go, boringtun).
  std::string wg_uapi_dir = "/var/run/wireguard";
  /// Prefix of the WireGuard configuration paths (VyOS, wg-quick) peer names
  /// are read from: "" on a router; a fixture tree in tests and the lab.
  std::string wg_config_root;
  std::string frr_vty_dir;  ///< empty: vtysh's default
  std::string vtysh = "vtysh";
  int timeout_ms = 3000;  ///< per source
  /// The salt of every key fingerprint this run makes (base/key_print.h),
  /// borrowed: the caller makes it, keeps it for the run and forgets it. A
  /// snapshot never holds it.
  std::string_view key_salt;
  /// The caller's own work, done on the capture's thread once the kernel
  /// is read, while the daemons' threads still wait for their answers
  /// (dx reads its VIF files here). Run once, by the first Capture() given
  /// it, on the calling thread.
  std::function<void()> alongside;
};

/// Captures everything `options` asks for; taken_at is set here.
Snapshot Capture(const CaptureOptions& options);

// One function per source; each fills its part of `snapshot` and its
// Snapshot::sources entries. Implemented in capture_<source>.cc.
void CaptureKernel(Snapshot& snapshot, const CaptureOptions& options);     ///< kernel, sockets, md5, counters, ethtool
void CaptureWireguard(Snapshot& snapshot, const CaptureOptions& options);  ///< wireguard
void CaptureXfrm(Snapshot& snapshot, const CaptureOptions& options);       ///< xfrm
void CaptureFrr(Snapshot& snapshot, const CaptureOptions& options);        ///< frr
void CaptureIpsec(Snapshot& snapshot, const CaptureOptions& options);      ///< vici
void CaptureNftables(Snapshot& snapshot, const CaptureOptions& options);   ///< nftables

/// The charon events `--sample` listens to while it waits: the evidence of
/// rekeys (counters restart) and of IKE SAs torn down and re-established.
inline constexpr const char* kIpsecEvents[] = {"ike-updown", "child-updown", "ike-rekey",
                                               "child-rekey"};

/// What charon said during the sampling window, and whether it could be asked.
struct IpsecEventWatch {
  std::vector<IpsecEvent> events;
  SourceStatus status;  ///< kNotCollected when strongSwan is not asked at all
};

/// Waits `pause` (the --sample window) subscribed to kIpsecEvents over VICI,
/// and returns what arrived. Takes the pause whatever happens: without
/// strongSwan (or with options.vici false) it only sleeps.
IpsecEventWatch WatchIpsecEvents(const CaptureOptions& options, std::chrono::milliseconds pause);

/// Where `dx --probe` pings: the Amazon address, the interface, IP sizes.
struct ProbeTarget {
  std::string address;
  std::string dev;
  std::vector<std::uint32_t> sizes;
};

/// The Amazon peers of `snapshot`'s DX peerings that `filter` keeps, each
/// with the sizes worth a DF ping: 1500, and the VIF's MTU where it differs
/// (capped at the interface's own MTU, past which a ping meets only a local
/// error).
std::vector<ProbeTarget> DxProbeTargets(const Snapshot& snapshot, const ReportFilter& filter);

struct TunnelProbeTarget;  // plugin/vpn_probe.h

/// vpn --probe: three echo requests through each tunnel, one second per
/// tunnel, the tunnels side by side; appends one Probe each.
void CaptureTunnelProbes(Snapshot& snapshot, const std::vector<TunnelProbeTarget>& targets,
                         const CaptureOptions& options);

/// DF-set pings at each size (bounded: 2 packets, 1 s each); appends Probes.
void CaptureProbes(Snapshot& snapshot, const std::vector<ProbeTarget>& targets,
                   const CaptureOptions& options);

}  // namespace edgediag::plugin

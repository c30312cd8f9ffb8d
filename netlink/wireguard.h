// WireGuard over generic netlink (family "wireguard", WG_CMD_GET_DEVICE).
// Private and preshared keys stay in the message buffer: only whether they
// are set is kept.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "netlink/decoded.h"
#include "netlink/socket.h"

namespace edgediag::netlink {

/// WGPEER_A_ALLOWEDIPS entry.
struct WgAllowedIp {
  int family = 0;       ///< WGALLOWEDIP_A_FAMILY
  std::string ipaddr;   ///< WGALLOWEDIP_A_IPADDR
  int cidr_mask = 0;    ///< WGALLOWEDIP_A_CIDR_MASK
  bool operator==(const WgAllowedIp&) const = default;
};

/// WGDEVICE_A_PEERS entry, merged over every message that carried a part.
struct WgPeerInfo {
  std::string public_key;  ///< WGPEER_A_PUBLIC_KEY, base64
  bool preshared_key_set = false;  ///< WGPEER_A_PRESHARED_KEY not all zero
  std::string endpoint;    ///< WGPEER_A_ENDPOINT: "ADDR:PORT", "[ADDR]:PORT"; "" when none
  std::uint16_t persistent_keepalive_interval = 0;  ///< seconds; 0 = off
  std::int64_t last_handshake_time_sec = 0;         ///< wall clock; 0 = never
  std::int64_t last_handshake_time_nsec = 0;
  std::uint64_t rx_bytes = 0, tx_bytes = 0;
  std::optional<std::uint32_t> protocol_version;
  std::vector<WgAllowedIp> allowedips;
  bool operator==(const WgPeerInfo&) const = default;
};

/// A WireGuard device, merged over every message of its dump.
struct WgDevice {
  int ifindex = 0;
  std::string ifname;
  std::string public_key;  ///< base64; "" when the device has no private key
  bool private_key_set = false;
  std::uint16_t listen_port = 0;
  std::uint32_t fwmark = 0;
  std::vector<WgPeerInfo> peers;
  bool operator==(const WgDevice&) const = default;
};

/// Decodes WG_CMD_GET_DEVICE dump replies. A message without ifindex/ifname
/// continues the previous device; a peer whose public key was already seen in
/// this device continues that peer (the kernel splits long allowed-IP lists
/// and peer lists across messages: drivers/net/wireguard/netlink.c).
Result<Decoded<WgDevice>> DecodeWgDevices(Bytes messages);

/// Standard base64 (with padding) of `bytes`.
std::string Base64(Bytes bytes);

/// Dumps one device by name over a NETLINK_GENERIC socket, `family` from
/// ResolveFamily(genl, "wireguard"): one item, and the decoder's warnings.
/// EPERM without CAP_NET_ADMIN.
Result<Decoded<WgDevice>> ReadWgDevice(NetlinkSocket& genl, std::uint16_t family,
                                       const std::string& ifname);

}  // namespace edgediag::netlink

// Userspace WireGuard (wireguard-go, boringtun) over its UAPI socket,
// /var/run/wireguard/IFNAME.sock: the `get=1` text protocol of
// https://www.wireguard.com/xplatform/ that `wg` itself speaks to them. The
// reply holds the private and preshared keys in hex: they are passed over
// where they are read (only whether they are set is kept) and the reply is
// wiped before it is freed.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "base/result.h"
#include "netlink/wireguard.h"

namespace edgediag::netlink {

/// Decodes a `get=1` reply (up to and including "errno=N") into the same
/// device struct as the generic netlink dump. A nonzero errno is an error;
/// an unknown key is skipped (newer implementations add some), a known key
/// with a bad value is an error naming the line.
Result<WgDevice> DecodeUapiGet(std::string_view ifname, std::string_view reply);

/// Connects to `socket_path`, sends "get=1", reads the reply (at most 64
/// MiB, within `timeout`) and decodes it.
Result<WgDevice> ReadUapiDevice(const std::string& socket_path, const std::string& ifname,
                                std::chrono::milliseconds timeout);

}  // namespace edgediag::netlink

// Generic netlink: resolving a family name ("wireguard", "ethtool") to the id
// the kernel assigned it at module load.
#pragma once

#include <cstdint>
#include <string>

#include "base/result.h"
#include "netlink/decoded.h"
#include "netlink/socket.h"

namespace edgediag::netlink {

/// CTRL_ATTR_FAMILY_ID from a CTRL_CMD_NEWFAMILY reply.
Result<std::uint16_t> DecodeFamilyId(Bytes messages);

/// Asks the generic netlink controller for `name`'s id over a NETLINK_GENERIC
/// socket. Error kUnavailable (ENOENT) when no such family is registered,
/// i.e. the module is not loaded.
Result<std::uint16_t> ResolveFamily(NetlinkSocket& genl, const std::string& name);

}  // namespace edgediag::netlink

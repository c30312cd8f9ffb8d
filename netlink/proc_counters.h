// Kernel counters from /proc: /proc/net/netstat (TcpExt, IpExt, ...),
// /proc/net/xfrm_stat and the per-interface rp_filter sysctl. Parsers are
// pure functions over the file's text; Read* do the file I/O.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"

namespace edgediag::netlink {

/// Counters by name, as the kernel spells them ("TCPMD5Failure").
using CounterMap = std::map<std::string, std::uint64_t>;

/// /proc/net/netstat: section ("TcpExt", "IpExt", "MPTcpExt") -> counters.
/// Each section is a header line of names and a value line with the same
/// prefix; a value line whose count differs from its header is an error.
Result<std::map<std::string, CounterMap>> ParseNetstat(std::string_view text);

/// /proc/net/xfrm_stat: "XfrmInError   0" per line.
Result<CounterMap> ParseXfrmStat(std::string_view text);

/// A sysctl file holding one integer ("1\n").
Result<int> ParseSysctlInt(std::string_view text);

/// Effective rp_filter of an interface: the kernel uses max(all, IF)
/// (include/linux/inetdevice.h IN_DEV_RPFILTER uses IN_DEV_MAXCONF).
int EffectiveRpFilter(int all, int interface);

/// Reads a whole (small) file. Unavailable when it does not exist.
Result<std::string> ReadSmallFile(const std::string& path);

/// Reads and parses /proc/net/netstat (`path` for tests and other netns).
Result<std::map<std::string, CounterMap>> ReadNetstat(const std::string& path = "/proc/net/netstat");

/// Reads /proc/net/xfrm_stat; nullopt when the file does not exist (kernel
/// without XFRM statistics, or the xfrm modules not loaded): not an error.
Result<std::optional<CounterMap>> ReadXfrmStat(const std::string& path = "/proc/net/xfrm_stat");

/// net.ipv4.conf.`name`.rp_filter from `root` (default /proc/sys/net/ipv4/conf).
Result<int> ReadRpFilter(const std::string& name,
                         const std::string& root = "/proc/sys/net/ipv4/conf");

}  // namespace edgediag::netlink

// What every VPN rule shares: the router as a subject, /proc counters and
// their deltas over a sampling window, and how bytes, ages and addresses
// are written in messages.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "plugin/finding.h"
#include "plugin/ip.h"
#include "plugin/snapshot.h"

namespace edgediag::plugin {

/// The router itself: host-wide findings (daemon, module, counters).
Subject HostSubject(const Snapshot& s);
/// Whether strongSwan, or the kernel's rtnetlink state, could be read.
bool ViciOk(const Snapshot& s);
bool KernelOk(const Snapshot& s);
/// Growth of a cumulative /proc counter (TcpExt, IpExt or xfrm_stat) since
/// `previous`; a counter that went down (reboot) counts from zero. nullopt
/// without a previous value.
std::optional<std::uint64_t> CounterDelta(const Snapshot& now, const Snapshot* previous,
                                          std::string_view name);
/// The current value of such a counter, if present.
std::optional<std::uint64_t> CounterValue(const Snapshot& s, std::string_view name);
/// Seconds between two snapshots (at least 1).
std::int64_t WindowSeconds(const Snapshot& now, const Snapshot& previous);
/// RFC 1918, RFC 6598 (CGNAT 100.64/10) and RFC 4193 (fc00::/7) addresses.
bool IsPrivateAddress(const Prefix& p);
/// "148 B", "12.3 KiB", "4.5 MiB".
std::string FormatBytes(std::uint64_t bytes);
/// `parts` joined, in one allocation of exactly their size: for texts made
/// once per peer on a hub (operator+ would grow and copy each one twice).
std::string Cat(std::initializer_list<std::string_view> parts);
/// "45 s", "7 min", "3 h", "12 days".
std::string FormatAge(std::int64_t seconds);
/// An address to try `ip route get` with: the prefix's first host.
std::string SampleHost(const Prefix& p);

}  // namespace edgediag::plugin

// The wg.* and net.* rule functions (rules_wg.cc, rules_wg_routes.cc), the
// WireGuard subjects and what "ok" means for them. Each check returns
// findings of its own id only.
#pragma once

#include <vector>

#include "plugin/facts.h"
#include "plugin/finding.h"
#include "plugin/snapshot.h"

namespace edgediag::plugin {

std::vector<Finding> CheckWgModuleMissing(const Facts&, const Snapshot& s, const Snapshot* previous);
std::vector<Finding> CheckWgInterfaceDown(const Facts&, const Snapshot& s, const Snapshot* previous);
std::vector<Finding> CheckWgHandshakeNever(const Facts&, const Snapshot& s, const Snapshot* previous);
std::vector<Finding> CheckWgHandshakeStale(const Facts&, const Snapshot& s, const Snapshot* previous);
std::vector<Finding> CheckWgTrafficOneWay(const Facts&, const Snapshot& s, const Snapshot* previous);
std::vector<Finding> CheckWgEndpointMissing(const Facts&, const Snapshot& s, const Snapshot* previous);
std::vector<Finding> CheckWgPeerIdle(const Facts&, const Snapshot& s, const Snapshot* previous);
std::vector<Finding> CheckWgKeepaliveNat(const Facts&, const Snapshot& s, const Snapshot* previous);
std::vector<Finding> CheckWgAllowedIpsOverlap(const Facts&, const Snapshot& s,
                                              const Snapshot* previous);
std::vector<Finding> CheckWgAllowedIpsUnrouted(const Facts&, const Snapshot& s,
                                               const Snapshot* previous);
std::vector<Finding> CheckWgMtu(const Facts&, const Snapshot& s, const Snapshot* previous);
std::vector<Finding> CheckWgProbeNoReply(const Facts&, const Snapshot& s,
                                         const Snapshot* previous);
std::vector<Finding> CheckNetRpFilterStrict(const Facts&, const Snapshot& s,
                                            const Snapshot* previous);

/// One subject per WireGuard interface and one per peer ("wg0:KEY").
std::vector<Subject> WireguardSubjects(const Snapshot& s);
/// wg.ok for an interface or a peer: what was checked, with its values. It
/// leaves the finding's subject empty (BuildReport files it).
Finding WireguardOk(const Facts& facts, const Subject& subject);

}  // namespace edgediag::plugin

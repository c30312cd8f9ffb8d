// The ipsec.* rule functions (rules_ipsec.cc, rules_ipsec_path.cc), the
// IPsec subjects and what "ok" means for them. Each check returns findings
// of its own id only.
#pragma once

#include <string_view>
#include <vector>

#include "plugin/facts.h"
#include "plugin/finding.h"
#include "plugin/snapshot.h"

namespace edgediag::plugin {

std::vector<Finding> CheckIpsecDaemonUnreachable(const Facts&, const Snapshot& s,
                                                 const Snapshot* previous);
std::vector<Finding> CheckIpsecIkeDown(const Facts&, const Snapshot& s, const Snapshot* previous);
std::vector<Finding> CheckIpsecIkeDuplicate(const Facts&, const Snapshot& s,
                                            const Snapshot* previous);
std::vector<Finding> CheckIpsecChildMissing(const Facts&, const Snapshot& s,
                                            const Snapshot* previous);
std::vector<Finding> CheckIpsecTrafficOneWay(const Facts&, const Snapshot& s,
                                             const Snapshot* previous);
std::vector<Finding> CheckIpsecSnatBeforePolicy(const Facts&, const Snapshot& s,
                                                const Snapshot* previous);
std::vector<Finding> CheckIpsecNoEncap(const Facts&, const Snapshot& s, const Snapshot* previous);
std::vector<Finding> CheckIpsecPolicyMissing(const Facts&, const Snapshot& s,
                                             const Snapshot* previous);
std::vector<Finding> CheckIpsecRouteMissing(const Facts&, const Snapshot& s,
                                            const Snapshot* previous);
std::vector<Finding> CheckIpsecVtiDown(const Facts&, const Snapshot& s, const Snapshot* previous);
std::vector<Finding> CheckIpsecIkeFlapping(const Facts&, const Snapshot& s,
                                           const Snapshot* previous);
std::vector<Finding> CheckIpsecTsNarrowed(const Facts&, const Snapshot& s,
                                          const Snapshot* previous);
std::vector<Finding> CheckIpsecMtu(const Facts&, const Snapshot& s, const Snapshot* previous);
/// rules_ipsec_probe.cc: vpn --probe through an INSTALLED CHILD SA, no reply.
std::vector<Finding> CheckIpsecProbeNoReply(const Facts&, const Snapshot& s,
                                            const Snapshot* previous);

/// One subject per configured connection and per IKE SA's connection.
std::vector<Subject> IpsecSubjects(const Snapshot& s);
/// The subject of a connection, as IpsecSubjects() names it.
Subject ConnectionSubject(const Snapshot& s, std::string_view name);
/// ipsec.ok for a connection: what was checked, with its values. It leaves
/// the finding's subject empty (BuildReport files it).
Finding IpsecOk(const Snapshot& s, const Subject& subject);

}  // namespace edgediag::plugin

// What a rule says: one finding about one subject, with its evidence and fix.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace edgediag::plugin {

/// Ordered from best to worst; ranking and verdicts use this order.
enum class Severity { kOk, kInfo, kUnknown, kWarning, kCritical };

/// Which command runs a rule: dx, vpn (ipsec, wg, net) or both (check).
enum class Family { kDx, kIpsec, kWireguard, kNet };

/// What a subject is: the JSON "kind".
enum class SubjectKind { kDxVif, kIpsecConnection, kWgPeer, kWgInterface, kHost };
inline constexpr std::size_t kSubjectKinds = 5;

struct Subject {
  SubjectKind kind = SubjectKind::kDxVif;
  std::string id;         ///< VIF id, peer address, connection name, "wg0:KEY", ...
  std::string interface;  ///< the router's interface, where known
  std::string peer;       ///< peer address or public key, where known
  std::string name;       ///< a friendly name, where known
  bool operator==(const Subject&) const = default;
};

struct Evidence {
  std::string what;
  std::string observed;
  std::string expected;
  bool operator==(const Evidence&) const = default;
};

struct Finding {
  std::string id;  ///< stable check id, e.g. "dx.vlan.mismatch"
  Severity severity = Severity::kInfo;
  Subject subject;
  std::string message;  ///< one line
  std::vector<Evidence> evidence;
  std::string remedy;  ///< the fix and the command that verifies it (VyOS and Linux)
  /// How strongly the evidence points at this being *the* cause (0..100).
  /// Ranking sorts by severity, then weight, then the field-notes prior.
  int weight = 50;
  bool operator==(const Finding&) const = default;
};

std::string SeverityName(Severity s);
std::string SubjectKindName(SubjectKind k);

}  // namespace edgediag::plugin

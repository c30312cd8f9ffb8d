#include "plugin/finding.h"

namespace edgediag::plugin {

std::string SeverityName(Severity s) {
  switch (s) {
    case Severity::kOk: return "ok";
    case Severity::kInfo: return "info";
    case Severity::kUnknown: return "unknown";
    case Severity::kWarning: return "warning";
    case Severity::kCritical: return "critical";
  }
  return "unknown";
}

std::string SubjectKindName(SubjectKind k) {
  switch (k) {
    case SubjectKind::kDxVif: return "dx-vif";
    case SubjectKind::kIpsecConnection: return "ipsec-connection";
    case SubjectKind::kWgPeer: return "wg-peer";
    case SubjectKind::kWgInterface: return "wg-interface";
    case SubjectKind::kHost: return "host";
  }
  return "host";
}

}  // namespace edgediag::plugin

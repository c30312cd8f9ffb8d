#include "plugin/source_status.h"

#include <utility>

namespace edgediag::plugin {

SourceStatus StatusFromError(const Error& e, std::string reason) {
  return {e.code == Error::Code::kPermissionDenied ? SourceState::kPermissionDenied
                                                   : SourceState::kUnavailable,
          reason.empty() ? e.what : std::move(reason)};
}

std::string SourceStateName(SourceState state) {
  switch (state) {  // as the snapshot's JSON; a test holds them together
    case SourceState::kNotCollected: return "not-collected";
    case SourceState::kOk: return "ok";
    case SourceState::kUnavailable: return "unavailable";
    case SourceState::kPermissionDenied: return "permission-denied";
  }
  return "not-collected";
}

}  // namespace edgediag::plugin

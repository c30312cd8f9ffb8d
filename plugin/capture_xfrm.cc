// Placeholder until the xfrm collector lands: the source reports itself as
// not collected, so every other check still runs.
#include "plugin/capture.h"

namespace edgediag::plugin {

void CaptureXfrm(Snapshot& snapshot, const CaptureOptions&) {
  snapshot.sources[kSourceXfrm] = {SourceState::kUnavailable, "collector not built yet"};
}

}  // namespace edgediag::plugin

// Placeholder until the frr collector lands: the source reports itself as
// not collected, so every other check still runs.
#include "plugin/capture.h"

namespace edgediag::plugin {

void CaptureFrr(Snapshot& snapshot, const CaptureOptions&) {
  snapshot.sources[kSourceFrr] = {SourceState::kUnavailable, "collector not built yet"};
}

}  // namespace edgediag::plugin

// Placeholder until the nftables collector lands: the source reports itself as
// not collected, so every other check still runs.
#include "plugin/capture.h"

namespace edgediag::plugin {

void CaptureNftables(Snapshot& snapshot, const CaptureOptions&) {
  snapshot.sources[kSourceNftables] = {SourceState::kUnavailable, "collector not built yet"};
}

}  // namespace edgediag::plugin

// Placeholder until the wireguard collector lands: the source reports itself as
// not collected, so every other check still runs.
#include "plugin/capture.h"

namespace edgediag::plugin {

void CaptureWireguard(Snapshot& snapshot, const CaptureOptions&) {
  snapshot.sources[kSourceWireguard] = {SourceState::kUnavailable, "collector not built yet"};
}

}  // namespace edgediag::plugin

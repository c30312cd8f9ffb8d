// Golden inputs: the rule tests' faulted snapshots, saved once so that the
// command line's outputs on them can be held byte for byte (tests/golden/).
#pragma once

#include <string_view>

#include "plugin/snapshot.h"

namespace edgediag::testing {

/// With EDGEDIAG_GOLDEN_OUT set to a directory, writes `now` as NAME.json and
/// `previous` (when given) as NAME.prev.json there; otherwise does nothing.
void RecordGoldenInput(std::string_view name, const plugin::Snapshot& now,
                       const plugin::Snapshot* previous);

}  // namespace edgediag::testing

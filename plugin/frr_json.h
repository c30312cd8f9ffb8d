// FRR's `show bgp [vrf all] neighbors json`, read into BgpNeighbor values.
#pragma once

#include <string_view>
#include <vector>

#include "base/result.h"
#include "plugin/snapshot.h"

namespace edgediag::plugin {

/// Parses either form: {"VRF": {"vrfName": ..., "ADDR": {...}}} (vrf all)
/// or {"ADDR": {...}} (the default VRF alone). Unknown fields are ignored.
Result<std::vector<BgpNeighbor>> ParseFrrNeighbors(std::string_view json_text);

}  // namespace edgediag::plugin

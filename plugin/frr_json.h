// FRR's `show bgp [vrf all] neighbors json`, read into BgpNeighbor values.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "plugin/snapshot.h"

namespace edgediag::plugin {

/// Parses either form: {"VRF": {"vrfName": ..., "ADDR": {...}}} (vrf all)
/// or {"ADDR": {...}} (the default VRF alone). Unknown fields are ignored.
Result<std::vector<BgpNeighbor>> ParseFrrNeighbors(std::string_view json_text);

/// `show bgp vrf VRF AFI unicast neighbors ADDR routes json`: the paths
/// learnt from the neighbour that are best ("bestpath"), at most `cap`.
Result<std::vector<BgpRoute>> ParseFrrBestRoutes(std::string_view json_text, std::size_t cap);

/// `show bgp vrf VRF AFI unicast neighbors ADDR advertised-routes json`: the
/// prefixes advertised, at most `cap`, less those whose AS path holds
/// `peer_as` (the neighbour's own routes sent back: it drops them).
Result<std::vector<std::string>> ParseFrrAdvertisedRoutes(std::string_view json_text,
                                                          std::size_t cap,
                                                          std::optional<std::uint32_t> peer_as = {});

/// vtysh run with several `-c` prints their JSON documents one after the
/// other: each top-level {...} (strings and escapes honoured), in order.
/// Text between them (a "% ..." error) is skipped.
std::vector<std::string_view> SplitJsonDocuments(std::string_view text);

}  // namespace edgediag::plugin

// The operator's configuration file, edgediag.conf: what AWS's JSON cannot
// say (per-VIF prefix limits raised by AWS, the peers expected up, probe
// targets). `key = value` lines, `#` comments, blank lines; each value has
// the grammar of the matching command-line flag. See edgediag(8), FILES.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"
#include "plugin/snapshot.h"

namespace edgediag::opmode {

/// Where the file is looked for when --config is not given, in order:
/// /config survives VyOS image upgrades, /etc is the plain-Linux place.
inline constexpr const char* kOperatorConfigPaths[] = {"/config/edgediag/edgediag.conf",
                                                       "/etc/edgediag/edgediag.conf"};

struct OperatorConfig {
  std::string path;                                       ///< file read; empty when none
  std::map<std::string, std::uint32_t> prefix_limits;    ///< VIF id -> per-family limit
  std::vector<std::string> expect_up;                     ///< as --expect-up
  std::vector<std::pair<std::string, std::string>> probe_targets;  ///< tunnel -> address text
};

/// Parses the text of a configuration file read from `path` (used in the
/// errors). A bad line is an Error (kInvalidInput) saying
/// "PATH:LINE: key 'KEY': what is wrong".
Result<OperatorConfig> ParseOperatorConfig(std::string_view text, const std::string& path);

/// Reads `explicit_path` (--config; its absence is an error), or else the
/// first of `defaults` that exists (none existing is an empty config).
Result<OperatorConfig> ReadOperatorConfig(
    const std::string& explicit_path,
    std::span<const char* const> defaults = kOperatorConfigPaths);

/// Validates a prefix limit as --prefix-limit and `prefix-limit =` take it:
/// a whole number from 1 to 1,000,000. nullopt when it is not one.
std::optional<std::uint32_t> ParsePrefixLimit(std::string_view text);

/// Gives each VIF its operator prefix limit: `cli_limit` (--prefix-limit)
/// for all, else the file's line for that VIF; the VIF records where it
/// came from. VIFs with neither keep AWS's default.
void ApplyPrefixLimits(const OperatorConfig& config, std::optional<std::uint32_t> cli_limit,
                       std::vector<plugin::Vif>& vifs);

}  // namespace edgediag::opmode

// Optical module diagnostics over ethtool netlink (ETHTOOL_MSG_MODULE_EEPROM_GET,
// Linux 5.13+): receive power and its low-alarm threshold from SFP (SFF-8472)
// and QSFP (SFF-8636) modules. Best effort: most interfaces (virtual ones,
// copper, drivers without the hook) have none, and that is a normal answer.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "netlink/decoded.h"

namespace edgediag::netlink {

/// What a module reports. Powers in milliwatts.
struct ModuleDiagnostics {
  std::uint8_t identifier = 0;  ///< SFF-8024 identifier (0x03 SFP, 0x0d QSFP+, ...)
  std::optional<double> rx_power_mw;            ///< lane 1 for QSFP
  std::optional<double> rx_power_low_alarm_mw;  ///< alarm threshold
  bool operator==(const ModuleDiagnostics&) const = default;
};

/// ETHTOOL_A_MODULE_EEPROM_DATA from an ETHTOOL_MSG_MODULE_EEPROM_GET reply.
Result<std::vector<std::byte>> DecodeModuleEepromData(Bytes messages);

/// SFF-8472 (SFP): `a0` is the lower 128 bytes at I2C 0x50, `a2` the lower
/// 128 bytes at I2C 0x51. nullopt when the module has no internally
/// calibrated digital diagnostics.
std::optional<ModuleDiagnostics> ParseSff8472(Bytes a0, Bytes a2);

/// SFF-8636 (QSFP+/QSFP28): `lower` is page 0 bytes 0..127, `page3` the upper
/// page 3 (bytes 128..255, thresholds), empty for flat-memory modules.
std::optional<ModuleDiagnostics> ParseSff8636(Bytes lower, Bytes page3);

/// An interface to look at.
struct ModuleTarget {
  int ifindex = 0;
  std::string name;
};

/// Reads diagnostics of every target that has them (keyed by ifindex).
/// Error only when ethtool netlink itself is missing or not permitted.
Result<std::map<int, ModuleDiagnostics>> ReadModuleDiagnostics(
    const std::vector<ModuleTarget>& targets, std::chrono::milliseconds timeout);

}  // namespace edgediag::netlink

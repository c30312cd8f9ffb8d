// Hand-built snapshots for rule and renderer tests: a healthy Direct Connect
// router that each test breaks in one way.
#pragma once

#include "plugin/snapshot.h"

namespace edgediag::testing {

inline constexpr char kTestSalt[] = "00112233445566778899aabbccddeeff";
inline constexpr char kTestKey[] = "Ex4mpleDXkey";

/// eth1 -> eth1.101 (802.1Q 101) with 169.254.10.2/30, Amazon 169.254.10.1
/// REACHABLE, BGP Established, MD5 keys equal, VIF dxvif-test1 (private,
/// VLAN 101, ASN 65010, Amazon 64512, MTU 1500).
plugin::Snapshot HealthyDx();

/// Finds an interface by name in a test snapshot (aborts the test if absent).
plugin::Interface& Iface(plugin::Snapshot& s, const char* name);

}  // namespace edgediag::testing

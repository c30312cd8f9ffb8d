// The golden inputs that no rule test makes: a hub with 10,000 WireGuard
// peers. Written only when EDGEDIAG_GOLDEN_OUT is set (see golden-test.sh).
#include <gtest/gtest.h>

#include <cstdlib>

#include "tests/support/golden.h"
#include "tests/support/vpn_fixture.h"

namespace edgediag::testing {
namespace {

TEST(GoldenInputs, HubOfTenThousandPeers) {
  if (std::getenv("EDGEDIAG_GOLDEN_OUT") == nullptr) return;  // nothing to write
  RecordGoldenInput("wg-hub-10000", ManyWireguardPeers(10000), nullptr);
}

}  // namespace
}  // namespace edgediag::testing

// The command line in-process: what Run does to the process itself.
#include "op-mode/cli.h"

#include <gtest/gtest.h>
#include <sys/prctl.h>

#include <sstream>
#include <string>
#include <vector>

namespace edgediag::opmode {
namespace {

// A core dump taken while keys are in memory would hold them.
TEST(Cli, MakesTheProcessNonDumpableBeforeReadingAnything) {
  ASSERT_EQ(prctl(PR_SET_DUMPABLE, 1, 0, 0, 0), 0);
  std::string snap = std::string(EDGEDIAG_EXAMPLES) + "/dx-vlan-mismatch.json";
  std::vector<const char*> args{"--from-snapshot", snap.c_str(), "dx"};
  std::ostringstream out, err;
  EXPECT_EQ(opmode::Run(args, out, err), kExitOk) << err.str();
  EXPECT_EQ(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 0);
  prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);  // the test binary's own core dumps
}

}  // namespace
}  // namespace edgediag::opmode

// The command line in-process: what Run does to the process itself.
#include "op-mode/cli.h"

#include <gtest/gtest.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

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

// The operator configuration file's expect-up lines count as --expect-up:
// a road warrior that is only idle becomes a fault once the operator says
// it must be up.
TEST(Cli, ConfigFileExpectUpMarksThePeer) {
  std::string snap = std::string(EDGEDIAG_TESTDATA) + "/golden/in/wg-RoadWarriorNeverConnectedIsIdle.json";
  char conf[] = "/tmp/edgediag-conf-XXXXXX";
  int fd = mkstemp(conf);
  ASSERT_GE(fd, 0);
  close(fd);
  auto run = [&](const char* text) {
    std::ofstream(conf) << text;
    std::vector<const char*> args{"--config", conf, "--json", "--from-snapshot", snap.c_str(), "vpn"};
    std::ostringstream out, err;
    EXPECT_EQ(opmode::Run(args, out, err), kExitOk) << err.str();
    return out.str();
  };
  const std::string idle = run("# nothing expected\n");
  const std::string expected = run("expect-up = brPeerKeyBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB=\n");
  std::remove(conf);
  EXPECT_NE(idle.find("wg.peer.idle"), std::string::npos) << idle;
  EXPECT_NE(expected, idle);
  EXPECT_EQ(expected.find("\"id\": \"wg.peer.idle\""), std::string::npos) << expected;
}

}  // namespace
}  // namespace edgediag::opmode

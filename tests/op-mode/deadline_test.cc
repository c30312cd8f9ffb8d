// The overall deadline: the backstop that ends a run whatever blocks.
#include "op-mode/deadline.h"

#include <gtest/gtest.h>
#include <unistd.h>

namespace edgediag::opmode {
namespace {

using std::chrono::milliseconds;

TEST(DeadlineDeathTest, EndsTheRunNamingThePhase) {
  EXPECT_EXIT(
      {
        Deadline d(milliseconds(200), false);
        d.Phase("capture");
        sleep(10);
      },
      ::testing::ExitedWithCode(kExitDeadline),
      "edgediag: the run took longer than its deadline of 0.2 s \\(during capture\\)");
}

TEST(DeadlineDeathTest, CheckSaysUnknownInItsOwnLine) {
  EXPECT_EXIT(
      {
        Deadline d(milliseconds(200), true);
        sleep(10);
      },
      ::testing::ExitedWithCode(3), "deadline");
}

TEST(Deadline, ARunThatEndsInTimeIsLeftAlone) {
  {
    Deadline d(milliseconds(60000), false);
    EXPECT_GT(d.Remaining().count(), 50000);
  }  // joins its watch at once
  SUCCEED();
}

}  // namespace
}  // namespace edgediag::opmode

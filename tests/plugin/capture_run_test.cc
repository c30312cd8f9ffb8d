// RunProgram: output, exit codes, and every way a helper can misbehave.
#include "plugin/capture_run.h"

#include <gtest/gtest.h>

#include <chrono>

namespace edgediag::plugin {
namespace {

using std::chrono::milliseconds;

TEST(RunProgramTest, CollectsOutputAndExitCode) {
  auto r =
      RunProgram({"/bin/sh", "-c", "echo out; echo err >&2; exit 3"}, milliseconds(5000), 1024);
  ASSERT_TRUE(r) << r.error().what;
  EXPECT_EQ(r->out, "out\n");
  EXPECT_EQ(r->err, "err\n");
  EXPECT_EQ(r->exit_code, 3);
}

TEST(RunProgramTest, MissingProgramIsUnavailable) {
  auto r = RunProgram({"edgediag-no-such-program"}, milliseconds(1000), 1024);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Error::Code::kUnavailable);
  EXPECT_EQ(r.error().what, "edgediag-no-such-program not found");
}

TEST(RunProgramTest, HangingProgramIsKilledAtTheDeadline) {
  const auto start = std::chrono::steady_clock::now();
  auto r = RunProgram({"/bin/sleep", "30"}, milliseconds(200), 1024);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Error::Code::kTimeout);
  EXPECT_EQ(r.error().what, "/bin/sleep did not finish within 200 ms");
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(2000));
}

TEST(RunProgramTest, OutputIsBounded) {
  auto r = RunProgram({"/usr/bin/yes"}, milliseconds(5000), 100000);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Error::Code::kInvalidInput);
  EXPECT_EQ(r.error().what, "/usr/bin/yes printed more than 100000 bytes");
}

TEST(RunProgramTest, StdinIsEmpty) {
  auto r = RunProgram({"/bin/cat"}, milliseconds(5000), 1024);
  ASSERT_TRUE(r) << r.error().what;
  EXPECT_EQ(r->out, "");
  EXPECT_EQ(r->exit_code, 0);
}

}  // namespace
}  // namespace edgediag::plugin

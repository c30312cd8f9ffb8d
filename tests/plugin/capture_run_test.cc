// RunProgram: output, exit codes, and every way a helper can misbehave.
#include "plugin/capture_run.h"

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>

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
  EXPECT_EQ(r.error().what,
            "edgediag-no-such-program not found in /usr/sbin, /usr/bin, /sbin or /bin");
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

// The caller's PATH and locale (cron's, sudo's, an operator's) never choose
// which program runs or what language it answers in.
TEST(RunProgramTest, FixedSearchPathAndEnvironment) {
  char dir[] = "/tmp/edgediag-path-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  std::string fake = std::string(dir) + "/env";
  {
    std::ofstream f(fake);
    f << "#!/bin/sh\necho impostor\n";
  }
  chmod(fake.c_str(), 0755);
  std::string old_path = getenv("PATH") ? getenv("PATH") : "";
  setenv("PATH", (std::string(dir) + ":" + old_path).c_str(), 1);
  setenv("LANG", "de_DE.UTF-8", 1);
  auto r = RunProgram({"env"}, milliseconds(5000), 4096);
  setenv("PATH", old_path.c_str(), 1);
  unsetenv("LANG");
  unlink(fake.c_str());
  rmdir(dir);
  ASSERT_TRUE(r) << r.error().what;
  EXPECT_EQ(r->out, "PATH=/usr/sbin:/usr/bin:/sbin:/bin\nLC_ALL=C\n");
}

// Each helper leads a process group of its own, and the deadline kills the
// group: what it started in the background dies with it.
TEST(RunProgramTest, OwnProcessGroupKilledWhole) {
  auto r = RunProgram({"/bin/sh", "-c", "echo $$ $(cut -d' ' -f5 /proc/$$/stat)"},
                      milliseconds(5000), 1024);
  ASSERT_TRUE(r) << r.error().what;
  std::istringstream ids(r->out);
  long pid = 0, pgrp = 0;
  ids >> pid >> pgrp;
  EXPECT_EQ(pid, pgrp);

  const std::string pidfile = "/tmp/edgediag-bg-" + std::to_string(getpid());
  r = RunProgram({"/bin/sh", "-c", "sleep 30 & echo $! >" + pidfile + "; exec sleep 30"},
                 milliseconds(300), 1024);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Error::Code::kTimeout);
  long bg = 0;
  std::ifstream(pidfile) >> bg;
  unlink(pidfile.c_str());
  ASSERT_GT(bg, 0);
  // Killed: gone, or a zombie until its new parent reaps it.
  std::string state = "gone";
  for (int i = 0; i < 50 && state != "Z" && state != ""; ++i) {
    std::ifstream stat("/proc/" + std::to_string(bg) + "/stat");
    std::string line;
    if (!std::getline(stat, line)) {
      state = "";
      break;
    }
    state = line.substr(line.rfind(')') + 2, 1);
    usleep(10000);
  }
  EXPECT_TRUE(state == "" || state == "Z") << "background child still " << state;
}

TEST(RunProgramTest, StdinIsEmpty) {
  auto r = RunProgram({"/bin/cat"}, milliseconds(5000), 1024);
  ASSERT_TRUE(r) << r.error().what;
  EXPECT_EQ(r->out, "");
  EXPECT_EQ(r->exit_code, 0);
}

}  // namespace
}  // namespace edgediag::plugin

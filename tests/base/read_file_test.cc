// ReadFile: whole files, /proc files of size 0, the cap, clear errors.
#include "base/read_file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

namespace edgediag {
namespace {

TEST(ReadFile, WholeFilesAndProcFiles) {
  std::string path = ::testing::TempDir() + "/read-file-" + std::to_string(getpid());
  {
    std::ofstream f(path);
    f << std::string(200000, 'x');
  }
  auto r = ReadFile(path, 1 << 20);
  ASSERT_TRUE(r.ok()) << r.error().what;
  EXPECT_EQ(r->size(), 200000u);
  auto capped = ReadFile(path, 100000);
  ASSERT_FALSE(capped.ok());
  EXPECT_EQ(capped.error().code, Error::Code::kInvalidInput);
  unlink(path.c_str());
  auto proc = ReadFile("/proc/self/status", 1 << 20);  // st_size 0
  ASSERT_TRUE(proc.ok());
  EXPECT_NE(proc->find("Name:"), std::string::npos);
}

TEST(ReadFile, MissingFileIsUnavailableAndNamed) {
  auto r = ReadFile("/nonexistent/edgediag-file", 1 << 20);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Error::Code::kUnavailable);
  EXPECT_EQ(r.error().what, "cannot read /nonexistent/edgediag-file: No such file or directory");
}

}  // namespace
}  // namespace edgediag

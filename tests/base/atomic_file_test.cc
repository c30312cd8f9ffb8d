// WriteFileAtomically: whole content, the mode asked for whatever the umask,
// and no temporary file left behind when it fails.
#include "base/atomic_file.h"

#include <gtest/gtest.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <iterator>

namespace edgediag {
namespace {

namespace fs = std::filesystem;

class AtomicFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) /
           ("atomic-file-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Read(const fs::path& p) {
    std::ifstream in(p);
    return std::string((std::istreambuf_iterator<char>(in)), {});
  }
  std::size_t Entries(const fs::path& d) {
    return static_cast<std::size_t>(
        std::distance(fs::directory_iterator(d), fs::directory_iterator()));
  }
  unsigned Mode(const fs::path& p) {
    struct stat st {};
    EXPECT_EQ(stat(p.c_str(), &st), 0);
    return st.st_mode & 07777;
  }

  fs::path dir_;
};

TEST_F(AtomicFileTest, ReplacesWholeFiles) {
  const std::string path = dir_ / "metrics.prom";
  ASSERT_TRUE(WriteFileAtomically(path, "old\n", 0644));
  ASSERT_TRUE(WriteFileAtomically(path, std::string(100000, 'n') + "\n", 0644));
  EXPECT_EQ(Read(path), std::string(100000, 'n') + "\n");
  EXPECT_EQ(Entries(dir_), 1u);
  ASSERT_TRUE(WriteFileAtomically(path, "", 0644));
  EXPECT_EQ(Read(path), "");
}

TEST_F(AtomicFileTest, ModeIsTheOneAskedForWhateverTheUmask) {
  const mode_t old = umask(0077);
  auto r644 = WriteFileAtomically(dir_ / "public", "x", 0644);
  umask(0);
  auto r600 = WriteFileAtomically(dir_ / "secret", "x", 0600);
  umask(old);
  ASSERT_TRUE(r644) << r644.error().what;
  ASSERT_TRUE(r600) << r600.error().what;
  EXPECT_EQ(Mode(dir_ / "public"), 0644u);
  EXPECT_EQ(Mode(dir_ / "secret"), 0600u);
  // Replacing a file gives it the new mode, not the old one's.
  ASSERT_TRUE(WriteFileAtomically(dir_ / "public", "y", 0600));
  EXPECT_EQ(Mode(dir_ / "public"), 0600u);
}

TEST_F(AtomicFileTest, MissingDirectoryIsNamed) {
  auto r = WriteFileAtomically((dir_ / "no" / "x").string(), "x", 0600);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Error::Code::kUnavailable);
  EXPECT_EQ(r.error().what, "cannot create a temporary file in " + (dir_ / "no").string() +
                                ": No such file or directory");
  EXPECT_EQ(Entries(dir_), 0u);
}

TEST_F(AtomicFileTest, FailedRenameLeavesNoTemporaryFileAndTheTargetAsItWas) {
  // A non-empty directory where the file should go: the rename fails after
  // the temporary file was written.
  fs::create_directories(dir_ / "target" / "inside");
  auto r = WriteFileAtomically((dir_ / "target").string(), "new", 0644);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().what.rfind("cannot replace " + (dir_ / "target").string() + ": ", 0), 0u)
      << r.error().what;
  EXPECT_EQ(Entries(dir_), 1u);  // only "target"
  EXPECT_TRUE(fs::is_directory(dir_ / "target" / "inside"));
}

TEST_F(AtomicFileTest, FailedWriteLeavesNoTemporaryFile) {
  // A write that fails half-way (here: past RLIMIT_FSIZE, which binds root
  // too; SIGXFSZ ignored so that write says EFBIG) leaves nothing behind.
  std::ofstream(dir_ / "target") << "old";
  rlimit old{};
  ASSERT_EQ(getrlimit(RLIMIT_FSIZE, &old), 0);
  auto old_handler = signal(SIGXFSZ, SIG_IGN);
  rlimit small{16, old.rlim_max};
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &small), 0);
  auto r = WriteFileAtomically((dir_ / "target").string(), std::string(4096, 'x'), 0600);
  setrlimit(RLIMIT_FSIZE, &old);
  signal(SIGXFSZ, old_handler);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().what.find("File too large"), std::string::npos) << r.error().what;
  EXPECT_EQ(Entries(dir_), 1u);
  EXPECT_EQ(Read(dir_ / "target"), "old");
}

// A writer killed mid-way leaves its temporary file; the next write removes
// it, but never one a live writer still holds.
TEST_F(AtomicFileTest, StaleTemporaryFilesAreRemovedLiveOnesKept) {
  std::ofstream(dir_ / ".state.json.Ab12Cd") << "half";
  std::ofstream(dir_ / ".state.json.Ef34Gh") << "being written";
  int live = open((dir_ / ".state.json.Ef34Gh").c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(live, 0);
  ASSERT_EQ(flock(live, LOCK_EX), 0);
  std::ofstream(dir_ / ".other.json.Ij56Kl") << "not ours";
  ASSERT_TRUE(WriteFileAtomically((dir_ / "state.json").string(), "{}", 0600));
  EXPECT_FALSE(fs::exists(dir_ / ".state.json.Ab12Cd"));
  EXPECT_TRUE(fs::exists(dir_ / ".state.json.Ef34Gh"));
  EXPECT_TRUE(fs::exists(dir_ / ".other.json.Ij56Kl"));
  EXPECT_EQ(Read(dir_ / "state.json"), "{}");
  close(live);
}

}  // namespace
}  // namespace edgediag

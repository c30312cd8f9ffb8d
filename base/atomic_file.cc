#include "base/atomic_file.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string_view>

#include "base/unique_fd.h"

namespace edgediag {
namespace {

Error SysError(const std::string& what, const std::string& path, int err) {
  return MakeError(CodeFromErrno(err), "cannot " + what + " " + path + ": " + std::strerror(err));
}

std::string DirName(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

Result<void> WriteAll(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    ssize_t n = write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return SysError("write", path, errno);
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return {};
}

// Removes the temporary file unless the rename took it.
struct TempFile {
  std::string path;
  bool keep = false;
  ~TempFile() {
    if (!keep) unlink(path.c_str());
  }
};

// Removes what a writer killed mid-way (SIGKILL, power loss) left of its
// temporary files for `base` in `dir`. A writer holds an exclusive lock on
// its temporary file until it is renamed: a file whose lock can be taken
// has no live writer.
void RemoveStaleTemporaries(const std::string& dir, const std::string& base) {
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return;
  const std::string prefix = "." + base + ".";
  while (dirent* e = readdir(d)) {
    std::string_view name = e->d_name;
    if (name.size() != prefix.size() + 6 || name.substr(0, prefix.size()) != prefix) continue;
    UniqueFd fd(openat(dirfd(d), e->d_name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK));
    if (!fd.valid() || flock(fd.get(), LOCK_EX | LOCK_NB) != 0) continue;
    unlinkat(dirfd(d), e->d_name, 0);
  }
  closedir(d);
}

}  // namespace

Result<void> WriteFileAtomically(const std::string& path, std::string_view content, mode_t mode) {
  const std::string dir = DirName(path);
  const auto slash = path.rfind('/');
  const std::string base = path.substr(slash == std::string::npos ? 0 : slash + 1);
  // A fresh, unpredictable name created exclusively (run as root, a fixed
  // name would follow a symlink planted beside the target), hidden and with
  // a suffix no reader matches (node_exporter reads *.prom).
  std::string name = dir + "/." + base + ".XXXXXX";
  UniqueFd fd(mkostemp(name.data(), O_CLOEXEC));
  if (!fd.valid()) return SysError("create a temporary file in", dir, errno);
  TempFile tmp{name};
  // Held until the rename: a later writer tells a live temporary file from
  // a dead one by it.
  flock(fd.get(), LOCK_EX);
  RemoveStaleTemporaries(dir, base);
  // mkostemp made it 0600; umask does not apply to fchmod. Checked, since
  // some file systems take the call and keep their own mode.
  if (fchmod(fd.get(), mode) != 0) return SysError("set the mode of", tmp.path, errno);
  struct stat st {};
  if (fstat(fd.get(), &st) != 0) return SysError("set the mode of", tmp.path, errno);
  if ((st.st_mode & 07777) != (mode & 07777)) {
    char want[8], got[8];
    std::snprintf(want, sizeof(want), "%04o", static_cast<unsigned>(mode & 07777));
    std::snprintf(got, sizeof(got), "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return MakeError(Error::Code::kIo, "cannot set the mode of " + tmp.path + " to " + want +
                                           ": the file system keeps " + got);
  }
  if (auto w = WriteAll(fd.get(), content, tmp.path); !w) return w.error();
  if (fsync(fd.get()) != 0) return SysError("write", tmp.path, errno);
  // Renamed while still open, so still locked: no other writer's cleanup
  // can take it for a dead one in between.
  if (rename(tmp.path.c_str(), path.c_str()) != 0) return SysError("replace", path, errno);
  tmp.keep = true;
  if (fd.Close() != 0) return SysError("write", path, errno);
  // The rename itself must survive a crash. File systems that cannot sync
  // a directory say EINVAL; the file is in place either way.
  UniqueFd d(open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!d.valid()) return SysError("open the directory", dir, errno);
  if (fsync(d.get()) != 0 && errno != EINVAL) return SysError("sync the directory", dir, errno);
  return {};
}

Result<void> AppendToFile(const std::string& path, std::string_view content, mode_t mode) {
  UniqueFd fd(open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, mode));
  if (!fd.valid()) return SysError("open", path, errno);
  if (auto w = WriteAll(fd.get(), content, path); !w) return w.error();
  if (fd.Close() != 0) return SysError("write", path, errno);
  return {};
}

}  // namespace edgediag

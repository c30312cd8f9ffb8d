#include "base/read_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/unique_fd.h"

namespace edgediag {

Result<std::string> ReadFile(const std::string& path, std::size_t max_bytes) {
  UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid())
    return MakeError(CodeFromErrno(errno), "cannot read " + path + ": " + std::strerror(errno));
  std::string out;
  // Regular files say their size (a snapshot can be tens of MB); /proc
  // files say 0 and are read until the end.
  struct stat st {};
  if (fstat(fd.get(), &st) == 0 && st.st_size > 0)
    out.reserve(std::min(static_cast<std::size_t>(st.st_size), max_bytes) + 1);
  char buf[65536];
  for (;;) {
    ssize_t n = read(fd.get(), buf, sizeof(buf));
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      return MakeError(CodeFromErrno(err), "cannot read " + path + ": " + std::strerror(err));
    }
    if (n == 0) break;
    out.append(buf, static_cast<std::size_t>(n));
    if (out.size() > max_bytes) {
      return MakeError(Error::Code::kInvalidInput,
                       path + ": larger than " + std::to_string(max_bytes >> 20) + " MiB");
    }
  }
  return out;
}

}  // namespace edgediag

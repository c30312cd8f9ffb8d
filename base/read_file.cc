#include "base/read_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/unique_fd.h"

namespace edgediag {
namespace {

Error CannotRead(const std::string& path, int err) {
  return Error{CodeFromErrno(err), "cannot read " + path + ": " + std::strerror(err)};
}

// Reads `fd` to its end, at most `max_bytes`; `size_hint` from fstat.
Result<std::string> ReadAll(int fd, const std::string& path, std::size_t max_bytes,
                            off_t size_hint) {
  std::string out;
  // Regular files say their size (a snapshot can be tens of MB); /proc
  // files say 0 and are read until the end.
  if (size_hint > 0) out.reserve(std::min(static_cast<std::size_t>(size_hint), max_bytes) + 1);
  char buf[65536];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n < 0) {
      if (errno == EINTR) continue;
      return CannotRead(path, errno);
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

}  // namespace

Result<std::string> ReadFile(const std::string& path, std::size_t max_bytes) {
  UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return CannotRead(path, errno);
  struct stat st {};
  off_t size = fstat(fd.get(), &st) == 0 ? st.st_size : 0;
  return ReadAll(fd.get(), path, max_bytes, size);
}

Result<FileText> ReadRegularFile(const std::string& path, std::size_t max_bytes) {
  // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer.
  UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY));
  if (!fd.valid()) return CannotRead(path, errno);
  struct stat st {};
  if (fstat(fd.get(), &st) != 0) return CannotRead(path, errno);
  if (!S_ISREG(st.st_mode))
    return MakeError(Error::Code::kInvalidInput, path + ": not a regular file");
  if (static_cast<std::uint64_t>(st.st_size) > max_bytes)
    return MakeError(Error::Code::kInvalidInput,
                     path + ": larger than " + std::to_string(max_bytes >> 20) + " MiB");
  auto text = ReadAll(fd.get(), path, max_bytes, st.st_size);
  if (!text) return text.error();
  return FileText{std::move(*text), static_cast<unsigned>(st.st_mode & 07777), st.st_uid};
}

}  // namespace edgediag

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "plugin/subprocess.h"

extern char** environ;

namespace edgediag::plugin {
namespace {

class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  Fd(Fd&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  Fd& operator=(Fd&& o) noexcept {
    std::swap(fd_, o.fd_);
    return *this;
  }
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  int get() const { return fd_; }
  void reset() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

Result<std::pair<Fd, Fd>> Pipe() {
  int p[2];
  if (pipe2(p, O_CLOEXEC) != 0)
    return MakeError(CodeFromErrno(errno), std::string("pipe: ") + std::strerror(errno));
  return std::pair<Fd, Fd>{Fd(p[0]), Fd(p[1])};
}

}  // namespace

Result<ProcessOutput> RunProcess(const std::vector<std::string>& argv, int timeout_ms,
                                 std::size_t max_output) {
  if (argv.empty()) return MakeError(Error::Code::kInvalidInput, "no program to run");
  auto out = Pipe();
  if (!out) return out.error();
  auto err = Pipe();
  if (!err) return err.error();

  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&fa, out->second.get(), 1);
  posix_spawn_file_actions_adddup2(&fa, err->second.get(), 2);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  int rc = posix_spawnp(&pid, args[0], &fa, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) {
    if (rc == ENOENT) return MakeError(Error::Code::kUnavailable, argv[0] + " not found");
    return MakeError(CodeFromErrno(rc), "cannot run " + argv[0] + ": " + std::strerror(rc));
  }
  out->second.reset();
  err->second.reset();

  ProcessOutput result;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  bool out_open = true, err_open = true, too_big = false, timed_out = false;
  char buf[65536];
  while (out_open || err_open) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    deadline - std::chrono::steady_clock::now())
                    .count();
    if (left <= 0) {
      timed_out = true;
      break;
    }
    pollfd fds[2] = {{out_open ? out->first.get() : -1, POLLIN, 0},
                     {err_open ? err->first.get() : -1, POLLIN, 0}};
    int n = poll(fds, 2, static_cast<int>(left));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    for (int i = 0; i < 2; ++i) {
      if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      ssize_t got = read(fds[i].fd, buf, sizeof(buf));
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) {
        (i == 0 ? out_open : err_open) = false;
        continue;
      }
      std::string& dst = i == 0 ? result.out : result.err;
      std::size_t cap = i == 0 ? max_output : 8192;
      if (dst.size() + static_cast<std::size_t>(got) > cap) {
        if (i == 0) {
          too_big = true;
          out_open = err_open = false;
        }
        continue;
      }
      dst.append(buf, static_cast<std::size_t>(got));
    }
  }
  if (timed_out || too_big) kill(pid, SIGKILL);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (timed_out)
    return MakeError(Error::Code::kTimeout,
                     argv[0] + " did not answer within " + std::to_string(timeout_ms) + " ms");
  if (too_big)
    return MakeError(Error::Code::kProtocol, argv[0] + " printed more than " +
                                                 std::to_string(max_output) + " bytes");
  result.exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

}  // namespace edgediag::plugin

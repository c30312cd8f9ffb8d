#include "plugin/capture_run.h"

#include <errno.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <optional>

#include "base/unique_fd.h"

namespace edgediag::plugin {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::size_t kMaxStderr = std::size_t{64} * 1024;

// Helpers are found here, never through the caller's PATH (cron's, sudo's
// or an operator's), and run with a fixed environment: their messages in
// English, their own helpers from the same places.
constexpr const char* kSearchDirs[] = {"/usr/sbin", "/usr/bin", "/sbin", "/bin"};
constexpr const char* kHelperEnv[] = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C", nullptr};

// Process groups of the helpers running now, for KillRunningPrograms().
constexpr std::size_t kSlots = 16;
std::atomic<pid_t> g_running[kSlots];

void Track(pid_t pid) {
  for (auto& slot : g_running) {
    pid_t none = 0;
    if (slot.compare_exchange_strong(none, pid)) return;
  }
}

void Untrack(pid_t pid) {
  for (auto& slot : g_running) {
    pid_t mine = pid;
    if (slot.compare_exchange_strong(mine, 0)) return;
  }
}

// The program's path: as given when it names one, else the first
// executable of that name in kSearchDirs.
std::optional<std::string> Resolve(const std::string& program) {
  if (program.find('/') != std::string::npos) return program;
  for (const char* dir : kSearchDirs) {
    std::string path = std::string(dir) + "/" + program;
    if (::access(path.c_str(), X_OK) == 0) return path;
  }
  return std::nullopt;
}

Error ErrnoError(int err, std::string_view doing) {
  return MakeError(CodeFromErrno(err), fmt::format("{}: {}", doing, std::strerror(err)));
}

bool Pipe(UniqueFd& read_end, UniqueFd& write_end) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return false;
  read_end.Reset(fds[0]);
  write_end.Reset(fds[1]);
  return true;
}

// Kills (if still running) the child's whole process group (vtysh's or a
// shell's children too) and reaps the child; returns its exit code.
int Reap(pid_t pid, bool kill_first) {
  if (kill_first) {
    ::kill(-pid, SIGKILL);
    ::kill(pid, SIGKILL);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  Untrack(pid);
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

}  // namespace

void KillRunningPrograms() {
  for (auto& slot : g_running)
    if (pid_t pid = slot.load(); pid > 0) ::kill(-pid, SIGKILL);
}

Result<RunOutput> RunProgram(const std::vector<std::string>& argv,
                             std::chrono::milliseconds timeout, std::size_t max_output) {
  if (argv.empty()) return MakeError(Error::Code::kInvalidInput, "no program to run");
  const std::string& program = argv[0];
  const std::optional<std::string> path = Resolve(program);
  if (!path)
    return MakeError(Error::Code::kUnavailable,
                     fmt::format("{} not found in /usr/sbin, /usr/bin, /sbin or /bin", program));
  UniqueFd out_r, out_w, err_r, err_w, exec_r, exec_w;
  if (!Pipe(out_r, out_w) || !Pipe(err_r, err_w) || !Pipe(exec_r, exec_w)) {
    return ErrnoError(errno, "pipe");
  }
  // Built before fork: the child may only call async-signal-safe functions.
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);

  const pid_t pid = ::fork();
  if (pid < 0) return ErrnoError(errno, "fork");
  if (pid == 0) {
    // A process group of its own: a deadline kills it with all it started.
    ::setpgid(0, 0);
    // `--watch` blocks SIGINT and SIGTERM; a helper must not inherit that.
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    const int devnull = ::open("/dev/null", O_RDONLY);
    if (devnull >= 0) ::dup2(devnull, 0);
    ::dup2(out_w.get(), 1);
    ::dup2(err_w.get(), 2);
    ::execve(path->c_str(), args.data(), const_cast<char* const*>(kHelperEnv));
    // exec failed: tell the parent why through the close-on-exec pipe.
    const int err = errno;
    (void)!::write(exec_w.get(), &err, sizeof(err));
    ::_exit(127);
  }
  ::setpgid(pid, pid);  // also here: whichever of the two runs first
  Track(pid);
  out_w.Reset();
  err_w.Reset();
  exec_w.Reset();

  int exec_errno = 0;
  ssize_t n;
  while ((n = ::read(exec_r.get(), &exec_errno, sizeof(exec_errno))) < 0 && errno == EINTR) {
  }
  if (n == static_cast<ssize_t>(sizeof(exec_errno))) {
    Reap(pid, false);
    if (exec_errno == ENOENT) {
      return MakeError(Error::Code::kUnavailable, fmt::format("{} not found", program));
    }
    return ErrnoError(exec_errno, fmt::format("cannot run {}", program));
  }

  RunOutput result;
  const auto deadline = Clock::now() + timeout;
  bool out_open = true, err_open = true;
  char buf[65536];
  while (out_open || err_open) {
    pollfd p[2] = {{out_open ? out_r.get() : -1, POLLIN, 0},
                   {err_open ? err_r.get() : -1, POLLIN, 0}};
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) {
      Reap(pid, true);
      return MakeError(Error::Code::kTimeout,
                       fmt::format("{} did not finish within {} ms", program, timeout.count()));
    }
    const int ready = ::poll(p, 2, static_cast<int>(left.count()));
    if (ready < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      Reap(pid, true);
      return ErrnoError(err, "poll");
    }
    for (int i = 0; i < 2; ++i) {
      if (p[i].fd < 0 || p[i].revents == 0) continue;
      const ssize_t got = ::read(p[i].fd, buf, sizeof(buf));
      if (got < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (got <= 0) {
        (i == 0 ? out_open : err_open) = false;
        continue;
      }
      if (i == 0) {
        if (result.out.size() + static_cast<std::size_t>(got) > max_output) {
          Reap(pid, true);
          return MakeError(Error::Code::kInvalidInput,
                           fmt::format("{} printed more than {} bytes", program, max_output));
        }
        result.out.append(buf, static_cast<std::size_t>(got));
      } else if (result.err.size() < kMaxStderr) {
        result.err.append(buf,
                          std::min(static_cast<std::size_t>(got), kMaxStderr - result.err.size()));
      }
    }
  }
  // Both pipes closed: the child is exiting (or left a grandchild holding
  // nothing of ours); wait for it, bounded by the same deadline.
  while (true) {
    int status = 0;
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) {
      Untrack(pid);
      result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status)
                                           : (WIFSIGNALED(status) ? 128 + WTERMSIG(status) : -1);
      return result;
    }
    if (done < 0 && errno != EINTR) return ErrnoError(errno, "waitpid");
    if (Clock::now() >= deadline) {
      Reap(pid, true);
      return MakeError(Error::Code::kTimeout,
                       fmt::format("{} did not finish within {} ms", program, timeout.count()));
    }
    ::usleep(1000);
  }
}

}  // namespace edgediag::plugin

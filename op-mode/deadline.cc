#include "op-mode/deadline.h"

#include <fmt/format.h>
#include <unistd.h>

#include <string_view>

#include "plugin/capture_run.h"

namespace edgediag::opmode {
namespace {

// Async-signal-safe enough for a last word: no allocation after format,
// plain write(2), and nothing from stdio's buffers.
void Say(int fd, std::string_view text) {
  while (!text.empty()) {
    ssize_t n = write(fd, text.data(), text.size());
    if (n <= 0) return;
    text.remove_prefix(static_cast<std::size_t>(n));
  }
}

}  // namespace

Deadline::Deadline(std::chrono::milliseconds limit, bool nagios)
    : end_(std::chrono::system_clock::now() + limit), limit_(limit), nagios_(nagios) {
  try {
    watch_ = std::thread([this] {
      std::unique_lock lock(mutex_);
      if (!done_cv_.wait_until(lock, end_, [this] { return done_; })) Expire();
    });
  } catch (const std::system_error&) {
    // No thread for the watch: each source's own timeout still holds.
  }
}

Deadline::~Deadline() {
  {
    std::lock_guard lock(mutex_);
    done_ = true;
  }
  done_cv_.notify_all();
  if (watch_.joinable()) watch_.join();
}

std::chrono::milliseconds Deadline::Remaining() const {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      end_ - std::chrono::system_clock::now());
  return left.count() > 0 ? left : std::chrono::milliseconds(0);
}

void Deadline::Expire() {
  std::string why = fmt::format(
      "the run took longer than its deadline of {:g} s (during {}): a source did not answer in "
      "time; raise --deadline or lower --timeout",
      static_cast<double>(limit_.count()) / 1000, phase_.load());
  // check prints its line only at the end: nothing of it is out yet.
  plugin::KillRunningPrograms();  // vtysh, nft, ping and all they started
  if (nagios_) Say(STDOUT_FILENO, "EDGEDIAG UNKNOWN: " + why + "\n");
  Say(STDERR_FILENO, "edgediag: " + why + "\n");
  _exit(nagios_ ? 3 : kExitDeadline);
}

}  // namespace edgediag::opmode

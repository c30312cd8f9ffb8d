// The one overall deadline of a run (--deadline): capture, rules and render
// together. Every source has its own timeout too; this is the backstop that
// keeps a cron job or a systemd timer from ever hanging, whatever blocks.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

namespace edgediag::opmode {

/// Exit code of dx and vpn when the deadline passed (sysexits.h EX_TEMPFAIL).
inline constexpr int kExitDeadline = 75;

class Deadline {
 public:
  /// Starts the watch: when `limit` passes before the Deadline is
  /// destroyed, one line naming the phase goes to stderr (and for check,
  /// EDGEDIAG UNKNOWN on stdout) and the process exits at once with
  /// kExitDeadline (check: 3). The helper programs still running (each in a
  /// process group of its own) are killed with everything they started.
  Deadline(std::chrono::milliseconds limit, bool nagios);
  ~Deadline();
  Deadline(const Deadline&) = delete;
  Deadline& operator=(const Deadline&) = delete;

  /// What the run is doing now, for the message: a string literal.
  void Phase(const char* phase) { phase_.store(phase); }
  /// Time left, never negative.
  std::chrono::milliseconds Remaining() const;

 private:
  void Expire();

  // The wall clock: in a QEMU TCG guest steady_clock was seen running ~30
  // times too fast.
  std::chrono::system_clock::time_point end_;
  std::chrono::milliseconds limit_;
  bool nagios_;
  std::atomic<const char*> phase_{"start"};
  std::mutex mutex_;
  std::condition_variable done_cv_;
  bool done_ = false;
  std::thread watch_;
};

}  // namespace edgediag::opmode

#include "plugin/parallel.h"

#include <condition_variable>
#include <cstdint>
#include <exception>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

namespace edgediag::plugin {
namespace {

// Threads made once and kept: in the lab VM a thread's creation (its stack,
// its malloc arena) cost about as much as a rule over 10,000 peers.
class Pool {
 public:
  Pool() {
    unsigned cores = std::thread::hardware_concurrency();
    unsigned helpers = cores > 1 ? std::min(cores - 1, 3u) : 0;
    // A thread that cannot be made (a pids or process limit) leaves fewer
    // helpers; with none, the work runs on the caller alone.
    try {
      for (unsigned i = 0; i < helpers; ++i) threads_.emplace_back([this] { Serve(); });
    } catch (const std::system_error&) {
    }
  }
  ~Pool() {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    wake_.notify_all();
    for (auto& t : threads_) t.join();
  }

  /// False when the pool is busy (a nested or concurrent call).
  bool Run(const std::function<void()>& work) {
    if (in_pool || threads_.empty()) return false;  // before the lock this thread may hold
    std::unique_lock run(run_mutex_, std::try_to_lock);
    if (!run.owns_lock()) return false;
    {
      std::lock_guard lock(mutex_);
      job_ = &work;
      busy_ = threads_.size();
      ++generation_;
    }
    wake_.notify_all();
    // The helpers hold a reference to `work`: wait for them whatever happens.
    std::exception_ptr failed;
    in_pool = true;
    try {
      work();
    } catch (...) {
      failed = std::current_exception();
    }
    in_pool = false;
    std::unique_lock lock(mutex_);
    done_.wait(lock, [this] { return busy_ == 0; });
    job_ = nullptr;
    if (failed) std::rethrow_exception(failed);
    return true;
  }

 private:
  void Serve() {
    in_pool = true;
    std::uint64_t seen = 0;
    std::unique_lock lock(mutex_);
    for (;;) {
      wake_.wait(lock, [&] { return stop_ || generation_ != seen; });
      if (stop_) return;
      seen = generation_;
      const std::function<void()>* job = job_;
      lock.unlock();
      try {
        (*job)();
      } catch (...) {
        // ForEachParallel's work catches its own; nothing may escape a thread.
      }
      lock.lock();
      if (--busy_ == 0) done_.notify_all();
    }
  }

  static thread_local bool in_pool;
  std::mutex run_mutex_;  // one Run at a time
  std::mutex mutex_;
  std::condition_variable wake_, done_;
  const std::function<void()>* job_ = nullptr;
  std::uint64_t generation_ = 0;
  std::size_t busy_ = 0;
  bool stop_ = false;
  std::vector<std::thread> threads_;
};

thread_local bool Pool::in_pool = false;

}  // namespace

void RunOnCores(const std::function<void()>& work) {
  static Pool pool;
  if (!pool.Run(work)) work();
}

}  // namespace edgediag::plugin

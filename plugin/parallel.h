// Work over many independent items on the machine's cores: the rules of a
// report, the subjects of a 10,000-peer hub, the lines of its JSON. Pure
// computation only (no I/O): the daemons are asked on threads of their own.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <functional>
#include <utility>

namespace edgediag::plugin {

/// Runs `work` on every thread of a small pool (one fewer than the cores,
/// at most three, made once per process) and on the caller; returns when
/// all have returned. Called again while it runs (from `work`, or from
/// another thread), it runs `work` on the caller alone.
void RunOnCores(const std::function<void()>& work);

/// Calls fn(i) for every i in [0, n), `chunk` items at a time, on the cores
/// (RunOnCores); returns when all are done. The first exception thrown by
/// fn is rethrown here. Each thread first calls `setup()` (a per-thread
/// scope, e.g. RouteIndexScope) and keeps what it returns while it works.
template <typename Fn, typename Setup>
void ForEachParallel(std::size_t n, std::size_t chunk, Setup setup, Fn fn) {
  std::atomic<std::size_t> next{0};
  std::atomic<bool> stop{false};
  std::exception_ptr failed;
  RunOnCores([&] {
    if (next.load() >= n) return;  // nothing left for this thread
    [[maybe_unused]] auto scope = setup();
    for (std::size_t begin; !stop && (begin = next.fetch_add(chunk)) < n;) {
      try {
        for (std::size_t i = begin; i < std::min(n, begin + chunk); ++i) fn(i);
      } catch (...) {
        if (!stop.exchange(true)) failed = std::current_exception();
      }
    }
  });
  if (failed) std::rethrow_exception(failed);
}

/// The same, with nothing to set up per thread.
template <typename Fn>
void ForEachParallel(std::size_t n, std::size_t chunk, Fn fn) {
  ForEachParallel(n, chunk, [] { return 0; }, std::move(fn));
}

}  // namespace edgediag::plugin

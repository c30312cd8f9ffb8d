// Work over many independent items on the machine's cores: the rules of a
// report, the subjects of a 10,000-peer hub. Pure computation only.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <thread>
#include <vector>

namespace edgediag::plugin {

/// Calls fn(i) for every i in [0, n), on up to four threads (the caller's
/// among them), `chunk` items at a time; returns when all are done. The
/// first exception thrown by fn is rethrown here, after every thread ended.
/// Each thread first calls `setup()` (a per-thread scope, e.g.
/// RouteIndexScope) and keeps what it returns until it ends.
template <typename Fn, typename Setup>
void ForEachParallel(std::size_t n, std::size_t chunk, Setup setup, Fn fn) {
  std::atomic<std::size_t> next{0};
  std::exception_ptr failed;
  std::atomic<bool> stop{false};
  auto work = [&] {
    [[maybe_unused]] auto scope = setup();
    for (std::size_t begin; !stop && (begin = next.fetch_add(chunk)) < n;) {
      try {
        for (std::size_t i = begin; i < std::min(n, begin + chunk); ++i) fn(i);
      } catch (...) {
        if (!stop.exchange(true)) failed = std::current_exception();
      }
    }
  };
  std::size_t chunks = (n + chunk - 1) / chunk;
  std::size_t threads = std::min<std::size_t>({std::thread::hardware_concurrency(), 4, chunks});
  std::vector<std::thread> pool;
  for (std::size_t t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
  if (failed) std::rethrow_exception(failed);
}

}  // namespace edgediag::plugin

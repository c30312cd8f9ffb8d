// ForEachParallel: every item once, exceptions back to the caller, nested
// and concurrent calls run (inline) instead of deadlocking.
#include "plugin/parallel.h"

#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
#include <thread>
#include <vector>

namespace edgediag::plugin {
namespace {

TEST(ForEachParallel, SetupRunsOnEachThreadThatWorks) {
  std::atomic<int> scopes{0};
  ForEachParallel(
      1000, 10, [&] { return ++scopes; }, [](std::size_t) {});
  EXPECT_GE(scopes, 1);
}

TEST(ForEachParallel, EveryItemOnce) {
  for (std::size_t n : {0u, 1u, 7u, 512u, 10000u}) {
    std::vector<std::atomic<int>> seen(n);
    ForEachParallel(n, 64, [&](std::size_t i) { ++seen[i]; });
    for (std::size_t i = 0; i < n; ++i) ASSERT_EQ(seen[i], 1) << n << " " << i;
  }
}

TEST(ForEachParallel, TheExceptionReachesTheCaller) {
  for (int round = 0; round < 20; ++round)
    EXPECT_THROW(ForEachParallel(1000, 10,
                                 [](std::size_t i) {
                                   if (i == 777) throw std::runtime_error("item 777");
                                 }),
                 std::runtime_error);
  // And the pool still works afterwards.
  std::atomic<std::size_t> sum{0};
  ForEachParallel(100, 1, [&](std::size_t i) { sum += i; });
  EXPECT_EQ(sum, 4950u);
}

TEST(ForEachParallel, NestedAndConcurrentCallsComplete) {
  std::atomic<int> inner{0};
  ForEachParallel(8, 1, [&](std::size_t) {
    ForEachParallel(10, 1, [&](std::size_t) { ++inner; });
  });
  EXPECT_EQ(inner, 80);
  std::atomic<int> total{0};
  std::vector<std::thread> callers;
  for (int t = 0; t < 4; ++t)
    callers.emplace_back([&] { ForEachParallel(1000, 7, [&](std::size_t) { ++total; }); });
  for (auto& t : callers) t.join();
  EXPECT_EQ(total, 4000);
}

}  // namespace
}  // namespace edgediag::plugin

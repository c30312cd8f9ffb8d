#include "plugin/rules.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <thread>

#include "plugin/prefix_trie.h"

namespace edgediag::plugin {
std::span<const Rule> AllRules() {
  static const std::vector<Rule> all = [] {
    std::vector<Rule> v;
    for (auto table : {DxRules(), IpsecRules(), WireguardRules()})
      v.insert(v.end(), table.begin(), table.end());
    return v;
  }();
  return all;
}

std::vector<Finding> RunRules(std::span<const Family> families, const Snapshot& now,
                              const Snapshot* previous) {
  std::vector<const Rule*> todo;
  for (const auto& r : AllRules())
    if (std::find(families.begin(), families.end(), r.family) != families.end()) todo.push_back(&r);

  // The rules are pure and independent: on a hub with 10,000 peers they run
  // side by side, one per core, each taking the next rule in the catalogue.
  // Several rules look up routes: the tries over the route table are built
  // once, for all of them. Findings come back in catalogue order.
  RouteIndex routes(now);
  std::vector<std::vector<Finding>> found(todo.size());
  std::vector<std::exception_ptr> failed(todo.size());
  std::atomic<std::size_t> next{0};
  auto work = [&] {
    RouteIndexScope scope(routes);
    for (std::size_t i; (i = next++) < todo.size();) {
      try {
        found[i] = todo[i]->check(now, previous);
      } catch (...) {
        failed[i] = std::current_exception();
      }
    }
  };
  unsigned helpers = std::min<unsigned>({std::thread::hardware_concurrency(), 4,
                                         static_cast<unsigned>(todo.size())});
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < helpers; ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();

  std::vector<Finding> out;
  for (std::size_t i = 0; i < todo.size(); ++i) {
    if (failed[i]) std::rethrow_exception(failed[i]);
    out.insert(out.end(), std::make_move_iterator(found[i].begin()),
               std::make_move_iterator(found[i].end()));
  }
  return out;
}

}  // namespace edgediag::plugin

#include "plugin/rules.h"

#include <algorithm>

#include "plugin/parallel.h"

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

std::vector<Finding> RunRules(std::span<const Family> families, const Facts& facts,
                              const Snapshot* previous,
                              std::span<const std::function<void()>> also) {
  std::vector<const Rule*> todo;
  for (const auto& r : AllRules())
    if (r.check && std::find(families.begin(), families.end(), r.family) != families.end())
      todo.push_back(&r);

  // The rules are pure and independent: on a hub with 10,000 peers they run
  // side by side, one per core, each taking the next task (`also` first).
  // The facts (route tries included) are shared by all of them. Findings
  // come back in catalogue order.
  std::vector<std::vector<Finding>> found(todo.size());
  ForEachParallel(also.size() + todo.size(), 1, [&](std::size_t i) {
    if (i < also.size())
      also[i]();
    else
      found[i - also.size()] = todo[i - also.size()]->check(facts, facts.snapshot(), previous);
  });

  std::vector<Finding> out;
  for (auto& f : found)
    out.insert(out.end(), std::make_move_iterator(f.begin()), std::make_move_iterator(f.end()));
  return out;
}

}  // namespace edgediag::plugin

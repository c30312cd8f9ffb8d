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

std::vector<std::vector<Finding>> RunRules(std::span<const Family> families, const Facts& facts,
                                           const Snapshot* previous,
                                           std::span<const std::function<void()>> also,
                                           std::vector<RuleFailure>* failures,
                                           std::span<const Rule> rules) {
  std::vector<const Rule*> todo;
  for (const auto& r : rules)
    if (r.check && std::find(families.begin(), families.end(), r.family) != families.end())
      todo.push_back(&r);

  // The rules are pure and independent: on a hub with 10,000 peers they run
  // side by side, one per core, each taking the next task (`also` first).
  // The facts (route tries included) are shared by all of them. Findings
  // come back in catalogue order, each rule's in its own list.
  std::vector<std::vector<Finding>> found(todo.size());
  std::vector<std::string> failed(todo.size());
  ForEachParallel(also.size() + todo.size(), 1, [&](std::size_t i) {
    if (i < also.size()) {
      also[i]();
      return;
    }
    std::size_t r = i - also.size();
    // One odd input must not take the whole report down: the rule's own
    // subjects say it could not be checked, and every other rule stands.
    try {
      found[r] = todo[r]->check(facts, facts.snapshot(), previous);
    } catch (const std::exception& e) {
      found[r].clear();
      failed[r] = e.what()[0] ? e.what() : "unknown error";
    } catch (...) {
      found[r].clear();
      failed[r] = "unknown error";
    }
  });
  if (failures)
    for (std::size_t r = 0; r < todo.size(); ++r)
      if (!failed[r].empty()) failures->push_back({todo[r], std::move(failed[r])});
  return found;
}

}  // namespace edgediag::plugin

#include "plugin/rules.h"

#include <algorithm>

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
  std::vector<Finding> out;
  // Several rules look up routes: the tries over the route table are built
  // once for all of them.
  RouteIndex routes(now);
  RouteIndexScope scope(routes);
  for (const auto& r : AllRules()) {
    if (std::find(families.begin(), families.end(), r.family) == families.end()) continue;
    auto f = r.check(now, previous);
    out.insert(out.end(), std::make_move_iterator(f.begin()), std::make_move_iterator(f.end()));
  }
  return out;
}

}  // namespace edgediag::plugin

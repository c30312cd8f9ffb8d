// Runs one rule function on a test snapshot, with the facts derived from it
// as RunRules would.
#pragma once

#include <vector>

#include "plugin/facts.h"
#include "plugin/rules.h"

namespace edgediag::testing {

inline std::vector<plugin::Finding> RunRule(plugin::RuleFunction rule, const plugin::Snapshot& s,
                                            const plugin::Snapshot* previous) {
  plugin::Facts facts(s);
  return rule(facts, s, previous);
}

}  // namespace edgediag::testing

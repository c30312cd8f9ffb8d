// The rule registry: every check, with its stable id, a one-line
// description and the pure function that runs it. Rules see only the Facts
// derived from a Snapshot, the Snapshot, and the previous one for counter
// deltas: no I/O, no clock, no globals.
#pragma once

#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "plugin/facts.h"
#include "plugin/finding.h"
#include "plugin/snapshot.h"

namespace edgediag::plugin {

using RuleFunction = std::vector<Finding> (*)(const Facts& facts, const Snapshot& now,
                                              const Snapshot* previous);

struct Rule {
  std::string_view id;  ///< stable check id
  Family family;
  std::string_view description;
  /// Null where another entry's function answers the same question and
  /// yields this id too (the MD5 classifier: one finding per peering).
  RuleFunction check;
};

/// Every registered rule, in catalogue order.
std::span<const Rule> AllRules();

// The per-family tables AllRules() is made of, each defined beside its rules.
std::span<const Rule> DxRules();         ///< rules_dx.cc
std::span<const Rule> IpsecRules();      ///< rules_ipsec.cc
std::span<const Rule> WireguardRules();  ///< rules_wg.cc (and net.*)

/// A rule that threw instead of returning findings.
struct RuleFailure {
  const Rule* rule;
  std::string what;
};

/// Runs the rules of the given families over `facts`' snapshot, side by
/// side on the cores. Each rule's findings stay in the list the rule made,
/// one list per rule run, in catalogue order: the report takes them from
/// there, without moving a hub's 10,000 findings into one list first.
/// `also` are more tasks to run beside them (BuildReport lists its subjects
/// meanwhile). A rule that throws is caught here, the one catch outside
/// main(): it goes to `failures` (when given) and the other rules' findings
/// stand.
std::vector<std::vector<Finding>> RunRules(std::span<const Family> families, const Facts& facts,
                                           const Snapshot* previous,
                                           std::span<const std::function<void()>> also = {},
                                           std::vector<RuleFailure>* failures = nullptr,
                                           std::span<const Rule> rules = AllRules());

}  // namespace edgediag::plugin

// dx.vif.readable: the VIF description itself. describe-virtual-interfaces
// prints each BGP peer's authKey in the clear, so the file that holds it is
// as secret as the key. Group-readable is fine (on VyOS /config belongs to
// the group vyattacfg); readable by every user is not.
#include <fmt/format.h>

#include <set>

#include "plugin/dx_rules.h"
#include "plugin/facts.h"

namespace edgediag::plugin {

std::vector<Finding> CheckVifReadable(const Facts& facts, const Snapshot&, const Snapshot*) {
  std::vector<Finding> out;
  std::set<std::string> seen;  // one finding a VIF, not one a peering
  for (const auto& p : facts.dx()) {
    if (!p.vif || !p.vif->source_mode || (*p.vif->source_mode & 0004) == 0) continue;
    if (!seen.insert(p.subject.id).second) continue;
    const std::string& file = p.vif->source;
    Finding f{.id = "dx.vif.readable", .severity = Severity::kWarning, .subject = p.subject};
    f.weight = 5;  // never the cause of a session that is down: a hygiene fault
    f.message = fmt::format("{} is readable by every user, and it holds the VIF's BGP MD5 key",
                            file);
    f.evidence = {{fmt::format("mode of {}", file), fmt::format("{:04o}", *p.vif->source_mode),
                   "0600 (or 0640, group vyattacfg on VyOS)"}};
    f.remedy = fmt::format(
        "`chmod 600 {0}` (VyOS: `sudo chmod 600 {0}`), and save descriptions with `umask 077` "
        "before `aws directconnect describe-virtual-interfaces > FILE`. Verify: `ls -l {0}`",
        file);
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace edgediag::plugin

// The ipsec.* catalogue (placeholder until its rules land).
#include "plugin/rules.h"

namespace edgediag::plugin {

std::span<const Rule> IpsecRules() { return {}; }

}  // namespace edgediag::plugin

// The wg.* catalogue (placeholder until its rules land).
#include "plugin/rules.h"

namespace edgediag::plugin {

std::span<const Rule> WireguardRules() { return {}; }

}  // namespace edgediag::plugin

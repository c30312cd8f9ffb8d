#include "plugin/facts.h"

#include <algorithm>

namespace edgediag::plugin {

Facts::Facts(const Snapshot& s, std::span<const Family> families)
    : s_(s), families_(families.begin(), families.end()), routes_(s) {
  auto wants = [&](Family f) { return Wants(f); };
  if (wants(Family::kDx)) dx_ = MatchDx(s);
  if (wants(Family::kIpsec)) {
    ipsec_children_ = InstalledChildren(s, routes_);
    nat_faults_ = EvaluateNat(s, routes_, ipsec_children_);
  }
}

bool Facts::Wants(Family f) const {
  return families_.empty() || std::find(families_.begin(), families_.end(), f) != families_.end();
}

const WireguardLookup& Facts::wireguard() const {
  std::call_once(wireguard_once_, [this] { wireguard_.emplace(s_); });
  return *wireguard_;
}

}  // namespace edgediag::plugin

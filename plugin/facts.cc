#include "plugin/facts.h"

#include <algorithm>

namespace edgediag::plugin {

Facts::Facts(const Snapshot& s, std::span<const Family> families) : s_(s), routes_(s) {
  auto wants = [&](Family f) {
    return families.empty() || std::find(families.begin(), families.end(), f) != families.end();
  };
  if (wants(Family::kDx)) dx_ = MatchDx(s);
  if (wants(Family::kIpsec)) {
    ipsec_children_ = InstalledChildren(s, routes_);
    nat_faults_ = EvaluateNat(s, routes_, ipsec_children_);
  }
}

const WireguardLookup& Facts::wireguard() const {
  std::call_once(wireguard_once_, [this] { wireguard_.emplace(s_); });
  return *wireguard_;
}

}  // namespace edgediag::plugin

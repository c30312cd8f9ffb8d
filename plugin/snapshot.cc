#include "plugin/snapshot.h"

namespace edgediag::plugin {

const Interface* Snapshot::FindInterface(std::string_view name) const {
  for (const auto& i : interfaces)
    if (i.name == name) return &i;
  return nullptr;
}

const Interface* Snapshot::FindInterface(int ifindex) const {
  for (const auto& i : interfaces)
    if (i.ifindex == ifindex) return &i;
  return nullptr;
}

const SourceStatus& Snapshot::Source(const std::string& name) const {
  static const SourceStatus kNotCollected{};
  auto it = sources.find(name);
  return it == sources.end() ? kNotCollected : it->second;
}

}  // namespace edgediag::plugin

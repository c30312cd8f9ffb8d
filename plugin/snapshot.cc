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

bool DumpOk(const Snapshot& s, const char* dump) {
  auto it = s.sources.find(dump);
  const SourceStatus& st = it != s.sources.end() ? it->second : s.Source(kSourceKernel);
  return st.state == SourceState::kOk;
}

void ForgetFingerprints(KeyProperties& key) {
  key.fp_raw.clear();
  key.fp_trimmed.clear();
  key.fp_folded.clear();
  key.fp_normalised.clear();
}

void ForgetFingerprints(Snapshot& snapshot) {
  for (auto& t : snapshot.tcp_sockets)
    for (auto& k : t.md5_keys) ForgetFingerprints(k.key);
  for (auto& v : snapshot.vifs) {
    if (v.authKey) ForgetFingerprints(*v.authKey);
    for (auto& p : v.bgpPeers)
      if (p.authKey) ForgetFingerprints(*p.authKey);
  }
}

}  // namespace edgediag::plugin

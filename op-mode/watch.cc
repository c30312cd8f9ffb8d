#include "op-mode/watch.h"

#include <fmt/format.h>

#include <algorithm>

#include "plugin/source_status.h"

namespace edgediag::opmode {
namespace {

using plugin::Severity;

bool IsProblem(Severity s) { return s >= Severity::kUnknown; }

// NUD states that mean the peer's link-layer address is known.
bool Resolved(const std::string& nud) {
  return nud == "REACHABLE" || nud == "STALE" || nud == "DELAY" || nud == "PROBE" ||
         nud == "PERMANENT" || nud == "NOARP";
}

// "ADDR/LEN" -> "ADDR", as neighbours hold it.
std::string Bare(const std::string& text) { return text.substr(0, text.find('/')); }

std::string Subject(const SubjectState& s) { return s.kind + " " + s.id; }

std::string FirstId(const SubjectState& s) {
  return s.findings.empty() ? std::string() : " (" + s.findings.front().first + ")";
}

}  // namespace

WatchState MakeWatchState(const plugin::Report& report, const plugin::Snapshot& now,
                          const WatchState* previous, std::int64_t now_ms, std::int64_t quiet_ms) {
  WatchState s;
  s.subjects = StateFromReport(report, plugin::Snapshot{}).subjects;
  for (const auto& [name, st] : now.sources) {
    if (st.state == plugin::SourceState::kNotCollected) continue;
    s.sources[name] = plugin::SourceStateName(st.state) + (st.reason.empty() ? "" : " (" + st.reason + ")");
  }
  std::vector<std::string> watched;  // addresses whose ARP/ND entry matters
  for (const auto& b : now.bgp_neighbors) {
    s.bgp[fmt::format("BGP peer {} (vrf {})", b.address, b.vrf)] = b.bgpState;
    watched.push_back(b.address);
  }
  for (const auto& v : now.vifs) {
    watched.push_back(Bare(v.amazonAddress));
    for (const auto& p : v.bgpPeers) watched.push_back(Bare(p.amazonAddress));
  }
  for (const auto& n : now.neighbours)
    if (std::find(watched.begin(), watched.end(), n.address) != watched.end())
      s.arp[fmt::format("{} for {} on {}", n.family == 6 ? "ND" : "ARP", n.address, n.ifname)] =
          n.state;
  // Counters: the DX peerings' interfaces, WireGuard peers, IPsec CHILD SAs
  // (summed per connection and child: a rekey starts a new SA).
  std::map<std::string, std::uint64_t> values;
  for (const auto& p : report.peerings) {
    if (p.iface.rx_bytes) values[p.iface.name + ": receive"] = *p.iface.rx_bytes;
    if (p.iface.tx_bytes) values[p.iface.name + ": transmit"] = *p.iface.tx_bytes;
  }
  for (const auto& w : now.wireguard)
    for (const auto& p : w.peers) {
      std::string who = fmt::format("{} peer {}", w.name, p.name.empty() ? p.public_key : p.name);
      values[who + ": receive"] += p.rx_bytes;
      values[who + ": transmit"] += p.tx_bytes;
    }
  for (const auto& ike : now.ike_sas)
    for (const auto& c : ike.child_sas) {
      std::string who = fmt::format("IPsec {}/{}", ike.name, c.name);
      values[who + ": inbound"] += c.bytes_in;
      values[who + ": outbound"] += c.bytes_out;
    }
  for (const auto& [key, value] : values) {
    // One that appears after the first cycle (a new interface, peer or SA)
    // starts as not moving, so that its first traffic shows as a start.
    WatchState::Counter c{.value = value, .since_ms = now_ms};
    if (previous != nullptr) c.moving = false;
    const WatchState::Counter* p = nullptr;
    if (previous != nullptr)
      if (auto it = previous->counters.find(key); it != previous->counters.end()) p = &it->second;
    if (p != nullptr) {
      // A counter that went back (a new SA, an interface re-created) moved
      // only if it holds anything.
      if (value != p->value && value > 0) {
        c.moving = true;
      } else {
        c.since_ms = p->since_ms;
        c.moving = p->moving;
        if (now_ms - p->since_ms >= quiet_ms) c.moving = false;
      }
    }
    s.counters.emplace(key, c);
  }
  return s;
}

std::vector<std::string> WatchChanges(const WatchState& before, const WatchState& now) {
  std::vector<std::string> out;
  auto find = [&](const SubjectState& s) -> const SubjectState* {
    for (const auto& p : before.subjects)
      if (p.kind == s.kind && p.id == s.id) return &p;
    return nullptr;
  };
  for (const auto& s : now.subjects) {
    const SubjectState* p = find(s);
    if (p == nullptr) {
      out.push_back(fmt::format("{}: appeared, {}{}", Subject(s), plugin::SeverityName(s.verdict),
                                FirstId(s)));
      continue;
    }
    if (p->verdict != s.verdict)
      out.push_back(fmt::format("{}: {} -> {}{}", Subject(s), plugin::SeverityName(p->verdict),
                                plugin::SeverityName(s.verdict), FirstId(s)));
    std::map<std::string, Severity> was, is;
    for (const auto& [id, sev] : p->findings)
      if (IsProblem(sev)) was[id] = std::max(was[id], sev);
    for (const auto& [id, sev] : s.findings)
      if (IsProblem(sev)) is[id] = std::max(is[id], sev);
    for (const auto& [id, _] : s.findings) {  // ranked order, once per id
      auto i = is.find(id);
      if (i == is.end()) continue;
      auto w = was.find(id);
      if (w == was.end())
        out.push_back(fmt::format("{}: {} appeared ({})", Subject(s), id, plugin::SeverityName(i->second)));
      else if (w->second != i->second)
        out.push_back(fmt::format("{}: {} {} -> {}", Subject(s), id, plugin::SeverityName(w->second),
                                  plugin::SeverityName(i->second)));
      is.erase(i);
    }
    for (const auto& [id, sev] : was) {
      bool still = false;
      for (const auto& [nid, nsev] : s.findings) still |= nid == id && IsProblem(nsev);
      if (!still)
        out.push_back(fmt::format("{}: {} cleared (was {})", Subject(s), id, plugin::SeverityName(sev)));
    }
  }
  for (const auto& p : before.subjects) {
    bool present = false;
    for (const auto& s : now.subjects) present |= s.kind == p.kind && s.id == p.id;
    if (!present) out.push_back(fmt::format("{}: gone (was {})", Subject(p), plugin::SeverityName(p.verdict)));
  }
  for (const auto& [peer, state] : now.bgp) {
    auto it = before.bgp.find(peer);
    if (it == before.bgp.end())
      out.push_back(fmt::format("{}: configured, {}", peer, state));
    else if (it->second != state)
      out.push_back(fmt::format("{}: {} -> {}", peer, it->second, state));
  }
  for (const auto& [peer, state] : before.bgp)
    if (!now.bgp.contains(peer)) out.push_back(fmt::format("{}: gone (was {})", peer, state));
  for (const auto& [entry, state] : now.arp) {
    auto it = before.arp.find(entry);
    bool is = Resolved(state);
    if (it == before.arp.end())
      out.push_back(fmt::format("{}: {} ({})", entry, is ? "resolved" : "not resolved", state));
    else if (Resolved(it->second) != is)
      out.push_back(fmt::format("{}: {} ({} -> {})", entry, is ? "resolved" : "no longer resolved",
                                it->second, state));
  }
  for (const auto& [entry, state] : before.arp)
    if (!now.arp.contains(entry)) out.push_back(fmt::format("{}: entry gone (was {})", entry, state));
  for (const auto& [key, c] : now.counters) {
    auto it = before.counters.find(key);
    if (it == before.counters.end() || !c.moving || !it->second.moving) continue;
    if (*c.moving != *it->second.moving)
      out.push_back(fmt::format("{} counter {}", key, *c.moving ? "started" : "stopped"));
  }
  for (const auto& [name, state] : now.sources) {
    auto it = before.sources.find(name);
    if (it != before.sources.end() && it->second != state)
      out.push_back(fmt::format("source {}: {} -> {}", name, it->second, state));
  }
  return out;
}

}  // namespace edgediag::opmode

#include "plugin/prefix_trie.h"

#include <algorithm>

namespace edgediag::plugin {

int PrefixTrie::NewNode(const std::array<std::uint8_t, 16>& bits, int len) {
  Node n;
  // The first `len` bits of `bits`, the rest zero.
  std::size_t full = static_cast<std::size_t>(len) / 8;
  std::copy_n(bits.begin(), full, n.bits.begin());
  if (len % 8) n.bits[full] = bits[full] & static_cast<std::uint8_t>(0xff << (8 - len % 8));
  n.len = static_cast<std::uint8_t>(len);
  nodes_.push_back(n);
  return static_cast<int>(nodes_.size() - 1);
}

void PrefixTrie::AddValue(int node, std::uint32_t value) {
  // Appended at the tail so that values come back in insertion order.
  values_.push_back({value, -1});
  int idx = static_cast<int>(values_.size() - 1);
  int* link = &nodes_[node].head;
  while (*link >= 0) link = &values_[*link].next;
  *link = idx;
}

void PrefixTrie::Insert(const Prefix& prefix, std::uint32_t value) {
  if (prefix.family != 4 && prefix.family != 6) return;
  const Prefix p = prefix.Network();
  int& root = root_[p.family == 4 ? 0 : 1];
  int parent = -1, side = 0;
  auto set_link = [&](int idx) {
    if (parent < 0)
      root = idx;
    else
      nodes_[parent].child[side] = idx;
  };
  int cur = root;
  while (true) {
    if (cur < 0) {
      int leaf = NewNode(p.bytes, p.len);
      set_link(leaf);
      AddValue(leaf, value);
      return;
    }
    const Node n = nodes_[cur];  // copy: NewNode may reallocate
    int common = CommonLen(p.bytes, n.bits, std::min<int>(p.len, n.len));
    if (common == n.len && n.len == p.len) {
      AddValue(cur, value);
      return;
    }
    if (common == n.len) {  // n is a strict ancestor of p: descend
      parent = cur;
      side = Bit(p.bytes, n.len);
      cur = n.child[side];
      continue;
    }
    if (common == p.len) {  // p is a strict ancestor of n: insert above it
      int mid = NewNode(p.bytes, p.len);
      nodes_[mid].child[Bit(n.bits, p.len)] = cur;
      set_link(mid);
      AddValue(mid, value);
      return;
    }
    // p and n diverge below their common part: a glue node holds both.
    int glue = NewNode(p.bytes, common);
    int leaf = NewNode(p.bytes, p.len);
    nodes_[glue].child[Bit(p.bytes, common)] = leaf;
    nodes_[glue].child[Bit(n.bits, common)] = cur;
    set_link(glue);
    AddValue(leaf, value);
    return;
  }
}

bool PrefixTrie::AnyWithin(const Prefix& p) const {
  int cur = Root(p.family);
  while (cur >= 0) {
    const Node& n = nodes_[cur];
    // Every subtree holds a value: glue nodes always have two children.
    if (n.len >= p.len) return CommonLen(p.bytes, n.bits, p.len) == p.len;
    if (CommonLen(p.bytes, n.bits, n.len) < n.len) return false;
    cur = n.child[Bit(p.bytes, n.len)];
  }
  return false;
}

bool PrefixTrie::AnyOverlapping(const Prefix& p) const {
  bool covered = false;
  ForEachCovering(p, [&](std::uint32_t, int) {
    covered = true;
    return false;
  });
  return covered || AnyWithin(p);
}

std::optional<Prefix> RouteDst(const Route& r) {
  if (r.dst.empty() || r.dst == "default") return ParsePrefix(r.family == 6 ? "::/0" : "0.0.0.0/0");
  return ParsePrefix(r.dst);
}

namespace {

bool Forwards(const Route& r) {
  if (r.table == 255) return false;  // the local table: own and broadcast addresses
  return r.type == "unicast" || r.type == "blackhole" || r.type == "unreachable" ||
         r.type == "prohibit" || r.type.empty();
}

}  // namespace

const std::vector<std::optional<Prefix>>& RouteIndex::Dsts() const {
  std::call_once(dsts_once_, [this] {
    dsts_.reserve(s_.routes.size());
    for (const Route& r : s_.routes)
      dsts_.push_back(Forwards(r) ? RouteDst(r) : std::nullopt);
  });
  return dsts_;
}

const PrefixTrie& RouteIndex::All() const {
  std::call_once(all_once_, [this] {
    const auto& dsts = Dsts();
    all_.Reserve(dsts.size());
    for (std::size_t i = 0; i < dsts.size(); ++i)
      if (dsts[i]) all_.Insert(*dsts[i], static_cast<std::uint32_t>(i));
  });
  return all_;
}

const PrefixTrie& RouteIndex::RoutesVia(std::string_view dev) const {
  const auto& dsts = Dsts();
  std::lock_guard lock(by_dev_mutex_);
  auto [it, fresh] = by_dev_.try_emplace(std::string(dev));
  if (!fresh) return it->second;
  PrefixTrie& t = it->second;
  for (std::size_t i = 0; i < dsts.size(); ++i) {
    const Route& r = s_.routes[i];
    if (!dsts[i] || r.dev != dev || r.type == "blackhole" || r.type == "unreachable" ||
        r.type == "prohibit")
      continue;
    t.Insert(*dsts[i], static_cast<std::uint32_t>(i));
  }
  return t;
}

void RouteIndex::TableBests::Offer(const Route& r, int len) {
  // Covering routes come shortest first: a later one of the same table is
  // at least as long, and among equal lengths the lowest metric wins.
  std::span<std::pair<const Route*, int>> all =
      heap_.empty() ? std::span(inline_.data(), n_) : std::span(heap_);
  auto it = std::find_if(all.begin(), all.end(),
                         [&](const auto& e) { return e.first->table == r.table; });
  if (it != all.end()) {
    if (len > it->second || r.metric < it->first->metric) *it = {&r, len};
    return;
  }
  if (heap_.empty() && n_ < inline_.size()) {
    inline_[n_++] = {&r, len};
    return;
  }
  if (heap_.empty()) heap_.assign(inline_.begin(), inline_.begin() + n_);
  heap_.push_back({&r, len});
}

RouteIndex::TableBests RouteIndex::BestsPerTable(const Prefix& p) const {
  TableBests bests;
  All().ForEachCovering(p, [&](std::uint32_t i, int len) {
    bests.Offer(s_.routes[i], len);
    return true;
  });
  return bests;
}

std::vector<const Route*> RouteIndex::LookupAllTables(const Prefix& p) const {
  TableBests bests = BestsPerTable(p);
  std::vector<const Route*> out;
  out.reserve(bests.items().size());
  for (const auto& e : bests.items()) out.push_back(e.first);
  std::sort(out.begin(), out.end(),
            [](const Route* a, const Route* b) { return a->table < b->table; });
  return out;
}

const Route* RouteIndex::Lookup(const Prefix& p, std::uint32_t table) const {
  TableBests bests = BestsPerTable(p);
  for (const auto& e : bests.items())
    if (e.first->table == table) return e.first;
  return nullptr;
}

const Route* RouteIndex::Best(const Prefix& p) const {
  const Route* best = nullptr;
  int best_len = -1;
  TableBests bests = BestsPerTable(p);
  for (const auto& [r, len] : bests.items()) {
    if (r->table == 254) return r;
    if (len > best_len || (len == best_len && r->table < best->table)) best = r, best_len = len;
  }
  return best;
}

bool RouteIndex::SomeTableRoutesVia(const Prefix& p, std::string_view dev) const {
  TableBests bests = BestsPerTable(p);
  auto items = bests.items();
  return std::any_of(items.begin(), items.end(),
                     [&](const auto& e) { return e.first->dev == dev; });
}

bool RouteIndex::AnyRouteVia(std::string_view dev) const { return RoutesVia(dev).size() > 0; }

}  // namespace edgediag::plugin

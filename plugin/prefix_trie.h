// Prefix sets that answer "which stored prefixes contain this one" and "is
// any stored prefix inside this one" by walking one root-to-leaf path, so a
// check over n prefixes costs O(n * address bits), never O(n^2). Used for
// WireGuard AllowedIPs overlap (the kernel keeps them in the same kind of
// trie: drivers/net/wireguard/allowedips.c) and for route lookups.
#pragma once

#include <array>
#include <bit>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <optional>
#include <span>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "plugin/ip.h"
#include "plugin/snapshot.h"

namespace edgediag::plugin {

/// A path-compressed binary trie (one tree per address family) mapping each
/// prefix to the values inserted with it. Host bits are ignored.
class PrefixTrie {
 public:
  /// Adds `value` under `prefix`. Invalid prefixes (family 0) are ignored.
  void Insert(const Prefix& prefix, std::uint32_t value);

  /// Calls f(value, stored_len) for every stored prefix that contains `p`
  /// (equal included), shortest first. f returns false to stop.
  template <typename F>
  void ForEachCovering(const Prefix& p, F&& f) const {
    int cur = Root(p.family);
    while (cur >= 0) {
      const Node& n = nodes_[cur];
      if (n.len > p.len || CommonLen(p.bytes, n.bits, n.len) < n.len) return;
      for (int v = n.head; v >= 0; v = values_[v].next)
        if (!f(values_[v].value, static_cast<int>(n.len))) return;
      if (n.len == p.len) return;
      cur = n.child[Bit(p.bytes, n.len)];
    }
  }

  /// True when some stored prefix lies inside `p` (equal included).
  bool AnyWithin(const Prefix& p) const;

  /// True when some stored prefix contains `p` or lies inside it.
  bool AnyOverlapping(const Prefix& p) const;

  std::size_t size() const { return values_.size(); }
  /// Room for `n` prefixes without reallocating.
  void Reserve(std::size_t n) {
    nodes_.reserve(2 * n);
    values_.reserve(n);
  }

 private:
  struct Node {
    std::array<std::uint8_t, 16> bits{};
    std::uint8_t len = 0;
    std::int32_t child[2] = {-1, -1};
    std::int32_t head = -1;  ///< first value, -1 for glue nodes
  };
  struct Value {
    std::uint32_t value;
    std::int32_t next;
  };

  static int Bit(const std::array<std::uint8_t, 16>& b, int i) {
    return (b[i >> 3] >> (7 - (i & 7))) & 1;
  }
  /// Length of the common leading bits of a and b, at most `max`. Two
  /// 64-bit words rather than 16 bytes: this is the trie's inner loop.
  static int CommonLen(const std::array<std::uint8_t, 16>& a, const std::array<std::uint8_t, 16>& b,
                       int max) {
    std::uint64_t x = LoadBig64(a.data()) ^ LoadBig64(b.data());
    int n = x ? std::countl_zero(x) : 64;
    if (n == 64 && max > 64) {
      x = LoadBig64(a.data() + 8) ^ LoadBig64(b.data() + 8);
      n += x ? std::countl_zero(x) : 64;
    }
    return n < max ? n : max;
  }
  static std::uint64_t LoadBig64(const std::uint8_t* p) {
    std::uint64_t v;
    std::memcpy(&v, p, sizeof(v));
    if constexpr (std::endian::native == std::endian::little) v = __builtin_bswap64(v);
    return v;
  }
  int Root(int family) const { return family == 4 ? root_[0] : family == 6 ? root_[1] : -1; }
  int NewNode(const std::array<std::uint8_t, 16>& bits, int len);
  void AddValue(int node, std::uint32_t value);

  std::vector<Node> nodes_;
  std::vector<Value> values_;
  int root_[2] = {-1, -1};
};

/// Index over Snapshot::routes (every table) for the lookups VPN rules need.
/// Only routes that forward or refuse (unicast, blackhole, unreachable,
/// prohibit) take part; local/broadcast/multicast/throw entries do not.
/// The tries are built on first use, so a rule pays only for what it asks;
/// rules running on several threads may share one index.
class RouteIndex {
 public:
  explicit RouteIndex(const Snapshot& s) : s_(s) {}

  /// Longest-prefix route of `table` containing `p` (lowest metric on ties).
  const Route* Lookup(const Prefix& p, std::uint32_t table) const;
  /// The main table's route for `p`, else the longest route of any table.
  const Route* Best(const Prefix& p) const;
  /// The longest-prefix route containing `p`, one per table that has one.
  std::vector<const Route*> LookupAllTables(const Prefix& p) const;
  /// True when, in some table, the longest-prefix route containing `p`
  /// goes through `dev`.
  bool SomeTableRoutesVia(const Prefix& p, std::string_view dev) const;
  /// The routes through `dev` that forward, in any table (built on first
  /// use): AnyOverlapping(p) says whether one contains `p` or lies inside it.
  const PrefixTrie& RoutesVia(std::string_view dev) const;
  /// True when some route, in any table, goes through `dev`.
  bool AnyRouteVia(std::string_view dev) const;

  const Snapshot& snapshot() const { return s_; }

 private:
  /// (route, prefix length) of the longest route containing `p`, one per
  /// table. A router has a handful of tables: they fit on the stack.
  class TableBests {
   public:
    void Offer(const Route& r, int len);
    std::span<const std::pair<const Route*, int>> items() const {
      return heap_.empty() ? std::span(inline_.data(), n_) : std::span(heap_);
    }

   private:
    std::array<std::pair<const Route*, int>, 8> inline_{};
    std::size_t n_ = 0;
    std::vector<std::pair<const Route*, int>> heap_;  ///< past 8 tables
  };
  TableBests BestsPerTable(const Prefix& p) const;
  const PrefixTrie& All() const;

  /// Each route's dst parsed once (nullopt where it does not parse or the
  /// route does not forward), for All() and every RoutesVia().
  const std::vector<std::optional<Prefix>>& Dsts() const;

  const Snapshot& s_;
  mutable std::once_flag dsts_once_;
  mutable std::vector<std::optional<Prefix>> dsts_;
  mutable std::once_flag all_once_;
  mutable PrefixTrie all_;
  mutable std::mutex by_dev_mutex_;
  mutable std::unordered_map<std::string, PrefixTrie> by_dev_;  ///< elements never move
};

/// Parses a route's dst ("0.0.0.0/0", "default", "10.0.0.0/8").
std::optional<Prefix> RouteDst(const Route& r);

}  // namespace edgediag::plugin

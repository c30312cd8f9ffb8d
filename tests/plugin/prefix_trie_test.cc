// PrefixTrie and RouteIndex: containment both ways, per family, host bits
// ignored, and route lookups per table.
#include "plugin/prefix_trie.h"

#include <gtest/gtest.h>

#include <vector>

namespace edgediag::plugin {
namespace {

Prefix P(const char* text) { return *ParsePrefix(text); }

std::vector<std::pair<std::uint32_t, int>> Covering(const PrefixTrie& t, const char* p) {
  std::vector<std::pair<std::uint32_t, int>> out;
  t.ForEachCovering(P(p), [&](std::uint32_t v, int len) {
    out.push_back({v, len});
    return true;
  });
  return out;
}

TEST(PrefixTrie, CoveringPrefixesComeShortestFirst) {
  PrefixTrie t;
  t.Insert(P("10.0.0.0/8"), 1);
  t.Insert(P("10.1.0.0/16"), 2);
  t.Insert(P("10.1.2.0/24"), 3);
  t.Insert(P("10.2.0.0/16"), 4);
  t.Insert(P("0.0.0.0/0"), 5);
  using V = std::vector<std::pair<std::uint32_t, int>>;
  EXPECT_EQ(Covering(t, "10.1.2.3/32"), (V{{5, 0}, {1, 8}, {2, 16}, {3, 24}}));
  EXPECT_EQ(Covering(t, "10.1.0.0/16"), (V{{5, 0}, {1, 8}, {2, 16}}));
  EXPECT_EQ(Covering(t, "10.3.0.0/16"), (V{{5, 0}, {1, 8}}));
  EXPECT_EQ(Covering(t, "11.0.0.0/8"), (V{{5, 0}}));
}

TEST(PrefixTrie, GlueNodesAreNotMatches) {
  PrefixTrie t;
  t.Insert(P("10.1.0.0/16"), 1);
  t.Insert(P("10.2.0.0/16"), 2);  // glue at 10.0.0.0/14
  EXPECT_TRUE(Covering(t, "10.0.0.0/14").empty());
  EXPECT_TRUE(t.AnyWithin(P("10.0.0.0/14")));
  EXPECT_TRUE(t.AnyWithin(P("10.1.0.0/16")));
  EXPECT_FALSE(t.AnyWithin(P("10.3.0.0/16")));
  EXPECT_TRUE(t.AnyWithin(P("10.0.0.0/15")));
}

TEST(PrefixTrie, HostBitsAreIgnoredAndDuplicatesKept) {
  PrefixTrie t;
  t.Insert(P("192.168.60.7/24"), 1);
  t.Insert(P("192.168.60.0/24"), 2);
  using V = std::vector<std::pair<std::uint32_t, int>>;
  EXPECT_EQ(Covering(t, "192.168.60.9/32"), (V{{1, 24}, {2, 24}}));
}

TEST(PrefixTrie, FamiliesAreSeparate) {
  PrefixTrie t;
  t.Insert(P("0.0.0.0/0"), 1);
  t.Insert(P("fd00::/8"), 2);
  using V = std::vector<std::pair<std::uint32_t, int>>;
  EXPECT_EQ(Covering(t, "fd00:1::1"), (V{{2, 8}}));
  EXPECT_EQ(Covering(t, "::/0"), V{});
  EXPECT_TRUE(t.AnyOverlapping(P("fd00:50::/48")));
  EXPECT_FALSE(t.AnyOverlapping(P("2001:db8::/32")));
}

TEST(PrefixTrie, AnyOverlappingBothWays) {
  PrefixTrie t;
  t.Insert(P("192.168.50.0/24"), 1);
  EXPECT_TRUE(t.AnyOverlapping(P("192.168.0.0/16")));   // contains a stored one
  EXPECT_TRUE(t.AnyOverlapping(P("192.168.50.9/32")));  // inside a stored one
  EXPECT_FALSE(t.AnyOverlapping(P("192.168.51.0/24")));
}

TEST(RouteIndex, LongestPrefixPerTableAndLowestMetric) {
  Snapshot s;
  s.routes.push_back({.dst = "0.0.0.0/0", .gateway = "203.0.113.1", .dev = "eth0"});
  s.routes.push_back({.dst = "10.0.0.0/8", .dev = "eth1", .metric = 20});
  s.routes.push_back({.dst = "10.0.0.0/8", .dev = "eth2", .metric = 10});
  s.routes.push_back({.dst = "10.0.0.0/8", .dev = "wg0", .table = 51820});
  s.routes.push_back({.dst = "10.0.0.1/32", .dev = "eth0", .table = 255, .type = "local"});
  RouteIndex idx(s);
  const Route* r = idx.Lookup(P("10.0.0.1"), 254);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->dev, "eth2");
  EXPECT_EQ(idx.LookupAllTables(P("10.0.0.1")).size(), 2u);  // the local table does not count
  EXPECT_EQ(idx.Best(P("10.0.0.1"))->dev, "eth2");
  EXPECT_EQ(idx.Best(P("8.8.8.8"))->dev, "eth0");
  EXPECT_TRUE(idx.RoutesVia("wg0").AnyOverlapping(P("10.5.0.0/16")));
  EXPECT_FALSE(idx.RoutesVia("wg0").AnyOverlapping(P("11.0.0.0/8")));
  EXPECT_TRUE(idx.AnyRouteVia("wg0"));
  EXPECT_FALSE(idx.AnyRouteVia("vti1"));
}

}  // namespace
}  // namespace edgediag::plugin

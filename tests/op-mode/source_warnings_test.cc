// A malformed attribute leaves a trace: the decoder's warning reaches the
// source's status, survives the snapshot file, is counted in the JSON report
// and spelled out by --detail.
#include <gtest/gtest.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <vector>

#include "netlink/rtnetlink.h"
#include "op-mode/render.h"
#include "plugin/report.h"
#include "plugin/snapshot_json.h"
#include "tests/netlink/nl_builder.h"
#include "tests/support/dx_fixture.h"

namespace edgediag::opmode {
namespace {

using plugin::Family;
using plugin::SourceState;

// An RTM_NEWLINK whose IFLA_MTU is 2 bytes instead of 4.
std::vector<std::byte> LinkWithShortMtu() {
  ifinfomsg ifi{};
  ifi.ifi_index = 2;
  netlink::testing::NlBuilder b;
  b.Begin(RTM_NEWLINK).Header(ifi).Str(IFLA_IFNAME, "eth1");
  b.Scalar<std::uint16_t>(IFLA_MTU, 1500);
  return b.Done();
}

TEST(SourceWarnings, FromTheDecoderToTheReport) {
  auto links = netlink::DecodeLinks(LinkWithShortMtu());
  ASSERT_TRUE(links.ok()) << links.error().what;
  ASSERT_EQ(links->warnings,
            std::vector<std::string>{"RTM_NEWLINK: attribute 4 is 2 bytes, not 4"});

  plugin::Snapshot s = testing::HealthyDx();
  s.sources[plugin::kSourceKernel].warnings = links->warnings;

  // The snapshot file keeps them.
  const std::string path = ::testing::TempDir() + "/warnings-" + std::to_string(getpid()) + ".json";
  ASSERT_TRUE(plugin::SaveSnapshot(s, path));
  auto back = plugin::LoadSnapshot(path);
  unlink(path.c_str());
  ASSERT_TRUE(back.ok()) << back.error().what;
  EXPECT_EQ(back->Source(plugin::kSourceKernel).warnings, links->warnings);
  EXPECT_EQ(*back, s);

  const Family dx[] = {Family::kDx};
  auto report = plugin::BuildReport("dx", dx, *back, nullptr);
  EXPECT_NE(RenderJson(report).find(R"("kernel": {"status": "ok", "warnings": 1})"),
            std::string::npos)
      << RenderJson(report);
  std::string detail = RenderText(report, {.detail = true});
  EXPECT_NE(detail.find("\nSource warnings\n  kernel: ok, 1 warning: RTM_NEWLINK: attribute 4 is 2 "
                        "bytes, not 4\n"),
            std::string::npos)
      << detail;
  EXPECT_EQ(RenderText(report, {}).find("warning: RTM_NEWLINK"), std::string::npos);
}

TEST(SourceWarnings, NoneLeaveEveryOutputAsBefore) {
  plugin::Snapshot s = testing::HealthyDx();
  EXPECT_FALSE(plugin::SnapshotToJson(s)["sources"]["kernel"].contains("warnings"));
  const Family dx[] = {Family::kDx};
  auto report = plugin::BuildReport("dx", dx, s, nullptr);
  EXPECT_EQ(RenderJson(report).find("warnings"), std::string::npos);
  EXPECT_EQ(RenderText(report, {.detail = true}).find("Source warnings"), std::string::npos);
}

}  // namespace
}  // namespace edgediag::opmode

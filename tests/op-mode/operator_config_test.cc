// The operator configuration file: grammar, validation, errors that name
// file, line and key, and where it is looked for.
#include "op-mode/operator_config.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "op-mode/cli.h"

namespace edgediag::opmode {
namespace {

constexpr char kPath[] = "/config/edgediag/edgediag.conf";

std::string ErrorOf(std::string_view text) {
  auto r = ParseOperatorConfig(text, kPath);
  EXPECT_FALSE(r.ok());
  return r ? "" : r.error().what;
}

// A file in a fresh temporary directory, removed with it.
class TempFile {
 public:
  explicit TempFile(const std::string& text) {
    char tmpl[] = "/tmp/edgediag-conf-XXXXXX";
    dir_ = mkdtemp(tmpl);
    path_ = dir_ + "/edgediag.conf";
    std::ofstream(path_) << text;
  }
  ~TempFile() {
    std::remove(path_.c_str());
    rmdir(dir_.c_str());
  }
  const std::string& path() const { return path_; }
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_, path_;
};

TEST(OperatorConfig, ReadsAllThreeKeysWithCommentsAndBlankLines) {
  auto c = ParseOperatorConfig(
      "# AWS raised dxvif-fgabc123's limit (case 12345)\n"
      "\n"
      "prefix-limit = dxvif-fgabc123=250\n"
      "  prefix-limit=dxvif-ffzz0001 = 1500  \n"
      "expect-up = wg0\n"
      "expect-up = xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=\n"
      "probe-target = wg0=10.2.0.1\n"
      "probe-target = aws-lan = 2001:db8::1\n",
      kPath);
  ASSERT_TRUE(c.ok()) << c.error().what;
  EXPECT_EQ(c->path, kPath);
  EXPECT_EQ(c->prefix_limits, (std::map<std::string, std::uint32_t>{{"dxvif-fgabc123", 250},
                                                                    {"dxvif-ffzz0001", 1500}}));
  EXPECT_EQ(c->expect_up, (std::vector<std::string>{"wg0", "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg="}));
  ASSERT_EQ(c->probe_targets.size(), 2u);
  EXPECT_EQ(c->probe_targets[0], std::make_pair(std::string("wg0"), std::string("10.2.0.1")));
  EXPECT_EQ(c->probe_targets[1], std::make_pair(std::string("aws-lan"), std::string("2001:db8::1")));
}

TEST(OperatorConfig, SplitsAtTheFirstEqualsSign) {
  // The value keeps its own '=': VIF-ID=N.
  auto c = ParseOperatorConfig("prefix-limit=dxvif-a1=7", kPath);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->prefix_limits.at("dxvif-a1"), 7u);
}

TEST(OperatorConfig, BadLinesNameFileLineAndKey) {
  EXPECT_EQ(ErrorOf("\n# ok\nprefix-limit = dxvif-abc=lots\n"),
            "/config/edgediag/edgediag.conf:3: key 'prefix-limit': 'lots' is not a prefix limit "
            "(a whole number from 1 to 1000000)");
  EXPECT_EQ(ErrorOf("prefix-limit = dxvif-abc=0"),
            "/config/edgediag/edgediag.conf:1: key 'prefix-limit': '0' is not a prefix limit (a "
            "whole number from 1 to 1000000)");
  EXPECT_EQ(ErrorOf("prefix-limit = 200"),
            "/config/edgediag/edgediag.conf:1: key 'prefix-limit': '200' is not VIF-ID=N (e.g. "
            "dxvif-ffabc123=200)");
  EXPECT_EQ(ErrorOf("prefix-limit = vif1=200"),
            "/config/edgediag/edgediag.conf:1: key 'prefix-limit': 'vif1' is not a VIF id (dxvif- "
            "and letters or digits)");
  EXPECT_EQ(ErrorOf("prefix-limit = dxvif-a=1\nprefix-limit = dxvif-a=2"),
            "/config/edgediag/edgediag.conf:2: key 'prefix-limit': dxvif-a already has a limit, on "
            "line 1");
  EXPECT_EQ(ErrorOf("expect-up = two words"),
            "/config/edgediag/edgediag.conf:1: key 'expect-up': 'two words' is not one name (no "
            "spaces or control characters)");
  EXPECT_EQ(ErrorOf("probe-target = wg0=10.2.0.300"),
            "/config/edgediag/edgediag.conf:1: key 'probe-target': '10.2.0.300' is not an IPv4 or "
            "IPv6 address");
  EXPECT_EQ(ErrorOf("probe-target = 10.2.0.1"),
            "/config/edgediag/edgediag.conf:1: key 'probe-target': '10.2.0.1' is not "
            "TUNNEL=ADDRESS (e.g. wg0=10.2.0.1)");
  EXPECT_EQ(ErrorOf("expect-up ="),
            "/config/edgediag/edgediag.conf:1: key 'expect-up': no value after '='");
}

TEST(OperatorConfig, UnknownAndMalformedKeysAreErrors) {
  EXPECT_EQ(ErrorOf("prefix-limits = dxvif-a=1"),
            "/config/edgediag/edgediag.conf:1: key 'prefix-limits': unknown key; known keys: "
            "prefix-limit, expect-up, probe-target");
  EXPECT_EQ(ErrorOf("Prefix_Limit = dxvif-a=1"),
            "/config/edgediag/edgediag.conf:1: key 'Prefix_Limit': not a key (lower-case letters "
            "and '-'); known keys: prefix-limit, expect-up, probe-target");
  EXPECT_EQ(ErrorOf("just some words"),
            "/config/edgediag/edgediag.conf:1: 'just some words' is not a 'key = value' line");
}

TEST(OperatorConfig, ControlCharactersInErrorsAreEscaped) {
  EXPECT_EQ(ErrorOf("expect-up = a\x1b[31mb"),
            "/config/edgediag/edgediag.conf:1: key 'expect-up': 'a\\x1b[31mb' is not one name (no "
            "spaces or control characters)");
}

TEST(OperatorConfig, MissingDefaultFilesAreAnEmptyConfig) {
  const char* none[] = {"/nonexistent/edgediag/a.conf", "/nonexistent/edgediag/b.conf"};
  auto c = ReadOperatorConfig("", none);
  ASSERT_TRUE(c.ok()) << c.error().what;
  EXPECT_EQ(c->path, "");
  EXPECT_TRUE(c->prefix_limits.empty());
}

TEST(OperatorConfig, FirstExistingDefaultWins) {
  TempFile second("prefix-limit = dxvif-b=9\n");
  const char* paths[] = {"/nonexistent/edgediag/a.conf", second.path().c_str()};
  auto c = ReadOperatorConfig("", paths);
  ASSERT_TRUE(c.ok()) << c.error().what;
  EXPECT_EQ(c->path, second.path());
  EXPECT_EQ(c->prefix_limits.at("dxvif-b"), 9u);
}

TEST(OperatorConfig, MissingExplicitFileIsAnError) {
  auto c = ReadOperatorConfig("/nonexistent/edgediag.conf");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().what.find("/nonexistent/edgediag.conf"), std::string::npos);
  EXPECT_NE(c.error().what.find("--config"), std::string::npos);
}

TEST(OperatorConfig, CommandLineLimitOverridesTheFileForEveryVif) {
  OperatorConfig c;
  c.path = kPath;
  c.prefix_limits["dxvif-a"] = 250;
  std::vector<plugin::Vif> vifs(3);
  vifs[0].virtualInterfaceId = "dxvif-a";
  vifs[1].virtualInterfaceId = "dxvif-b";
  ApplyPrefixLimits(c, std::nullopt, vifs);
  EXPECT_EQ(vifs[0].prefix_limit, 250u);
  EXPECT_EQ(vifs[0].prefix_limit_source, kPath);
  EXPECT_FALSE(vifs[1].prefix_limit);
  ApplyPrefixLimits(c, 400, vifs);
  for (const auto& v : vifs) {
    EXPECT_EQ(v.prefix_limit, 400u);
    EXPECT_EQ(v.prefix_limit_source, "--prefix-limit");
  }
}

// End to end: a bad line is exit 65 with the file, line and key on stderr,
// and the report is still produced.
TEST(OperatorConfig, BadFileGivesExit65AndTheReportStillRuns) {
  TempFile f("expect-up = wg0\nprefix-limit = dxvif-a=-3\n");
  std::string snap = std::string(EDGEDIAG_EXAMPLES) + "/dx-vlan-mismatch.json";
  std::vector<const char*> args{"--config", f.path().c_str(), "--from-snapshot", snap.c_str(),
                                "dx", "--json"};
  std::ostringstream out, err;
  EXPECT_EQ(opmode::Run(args, out, err), kExitDataError);
  EXPECT_EQ(err.str(), "edgediag: " + f.path() +
                           ":2: key 'prefix-limit': '-3' is not a prefix limit (a whole number "
                           "from 1 to 1000000)\n");
  EXPECT_NE(out.str().find("dx.vlan.mismatch"), std::string::npos);
}

TEST(OperatorConfig, MissingConfigFileIsExit65) {
  std::string snap = std::string(EDGEDIAG_EXAMPLES) + "/dx-vlan-mismatch.json";
  std::vector<const char*> args{"--config", "/nonexistent/edgediag.conf", "--from-snapshot",
                                snap.c_str(), "dx"};
  std::ostringstream out, err;
  EXPECT_EQ(opmode::Run(args, out, err), kExitDataError);
  EXPECT_NE(err.str().find("/nonexistent/edgediag.conf"), std::string::npos);
}

TEST(OperatorConfig, PrefixLimitFlagIsValidated) {
  std::vector<const char*> args{"dx", "--prefix-limit", "0"};
  std::ostringstream out, err;
  EXPECT_EQ(opmode::Run(args, out, err), kExitUsage);
  EXPECT_NE(err.str().find("--prefix-limit"), std::string::npos) << err.str();
}

}  // namespace
}  // namespace edgediag::opmode

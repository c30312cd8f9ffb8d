// The from-text readers behind LoadSnapshot and LoadCheckState (the fuzz
// targets' entry points): any text gives a value or one error line naming
// the source, never an exception.
#include <gtest/gtest.h>

#include <string>

#include "op-mode/check.h"
#include "plugin/snapshot_json.h"

namespace edgediag::opmode {
namespace {

struct Case {
  std::string text;
  std::string error;  // "" when it parses
};

TEST(ParseText, SnapshotErrorsNameTheSource) {
  const Case cases[] = {
      {"", "s.json: not valid JSON"},
      {"[1", "s.json: not valid JSON"},
      {"[]", "s.json: not an edgediag snapshot (\"schema\" is not \"edgediag.snapshot/1\")"},
      {R"({"schema":"edgediag.snapshot/1"})", ""},
  };
  for (const auto& c : cases) {
    auto s = plugin::ParseSnapshot(c.text, "s.json");
    EXPECT_EQ(s.ok() ? "" : s.error().what, c.error) << c.text;
  }
}

TEST(ParseText, CheckStateErrorsNameTheSource) {
  const Case cases[] = {
      {"", "state: not valid JSON"},
      {"{}", "state: not an edgediag state file (no \"schema\")"},
      {R"({"schema":"edgediag.state/0"})", "state: unknown schema \"edgediag.state/0\""},
      {R"({"schema":"edgediag.state/1"})", "state: missing \"snapshot\""},
      {R"({"schema":"edgediag.state/1","snapshot":{"schema":"edgediag.snapshot/1"},)"
       R"("subjects":{}})",
       "state: \"subjects\" is not an array"},
      {R"({"schema":"edgediag.snapshot/1"})", ""},
  };
  for (const auto& c : cases) {
    auto s = ParseCheckState(c.text, "state");
    EXPECT_EQ(s.ok() ? "" : s.error().what, c.error) << c.text;
  }
}

}  // namespace
}  // namespace edgediag::opmode

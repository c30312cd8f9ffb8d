// `edgediag explain`: one text per check id, in step with --list-checks (the
// rule registry) and docs/checks.md, shaped as docs/explain/ promises.
#include "op-mode/explain.h"

#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>

#include "plugin/rules.h"

namespace edgediag::opmode {
namespace {

std::map<std::string, std::string> ChecksMd() {
  std::ifstream in(std::string(EDGEDIAG_SOURCE_DIR) + "/docs/checks.md");
  std::map<std::string, std::string> rows;
  std::regex row(R"(^\| `([a-z0-9.-]+)` \| (.*) \|$)");
  std::smatch m;
  for (std::string line; std::getline(in, line);)
    if (std::regex_match(line, m, row)) rows[m[1]] = m[2];
  return rows;
}

// Every id of the registry has a text whose second line is its description.
TEST(Explain, EveryCheckHasItsTextWithTheSameDescription) {
  for (const auto& r : plugin::AllRules()) {
    std::string_view text = FindExplain(r.id);
    ASSERT_FALSE(text.empty()) << "docs/explain/" << r.id << ".md is missing";
    std::istringstream in{std::string(text)};
    std::string title, line;
    std::getline(in, title);
    std::getline(in, line);
    EXPECT_EQ(title, "# " + std::string(r.id));
    EXPECT_EQ(line, r.description) << r.id;
  }
}

// No text for an id the binary does not know (a renamed or typoed file).
TEST(Explain, EveryTextIsACheck) {
  for (const auto& t : ExplainTexts()) {
    bool known = false;
    for (const auto& r : plugin::AllRules()) known |= r.id == t.id;
    EXPECT_TRUE(known) << "docs/explain/" << t.id << ".md names no check";
  }
}

// docs/checks.md's table: the same ids, the same one-line descriptions.
TEST(Explain, ChecksMdListsTheSameIdsAndDescriptions) {
  auto rows = ChecksMd();
  ASSERT_FALSE(rows.empty());
  for (const auto& r : plugin::AllRules()) {
    auto it = rows.find(std::string(r.id));
    ASSERT_NE(it, rows.end()) << "docs/checks.md lacks " << r.id;
    EXPECT_EQ(it->second, r.description) << r.id;
    rows.erase(it);
  }
  for (const auto& [id, _] : rows) ADD_FAILURE() << "docs/checks.md lists unknown " << id;
}

// The sections of the contract, in order, none empty.
TEST(Explain, EveryTextHasTheFourSectionsInOrder) {
  const char* kSections[] = {"## Looks at", "## Verify on VyOS", "## Verify on Linux", "## Fix"};
  for (const auto& t : ExplainTexts()) {
    std::string text(t.text);
    std::size_t at = 0;
    for (const char* s : kSections) {
      std::size_t p = text.find(std::string("\n") + s + "\n", at);
      ASSERT_NE(p, std::string::npos) << t.id << ": no \"" << s << "\" after offset " << at;
      std::size_t body = p + std::strlen(s) + 2;
      std::size_t next = text.find("\n## ", body);
      std::string content = text.substr(body, next == std::string::npos ? std::string::npos : next - body);
      EXPECT_NE(content.find_first_not_of(" \n`"), std::string::npos) << t.id << ": " << s << " is empty";
      at = body;
    }
  }
}

// The text itself on stdout, nothing on stderr.
TEST(Explain, PrintsTheTextAndExitsZero) {
  std::ostringstream out, err;
  EXPECT_EQ(RunExplain("dx.vlan.mismatch", out, err), 0);
  EXPECT_EQ(out.str().rfind("# dx.vlan.mismatch\n", 0), 0u);
  EXPECT_EQ(err.str(), "");
}

TEST(Explain, UnknownIdIsAUsageErrorNamingTheNearestIds) {
  std::ostringstream out, err;
  EXPECT_EQ(RunExplain("dx.vlan.missmatch", out, err), 64);
  EXPECT_EQ(out.str(), "");
  EXPECT_EQ(err.str().rfind("edgediag: explain: unknown check id 'dx.vlan.missmatch'; did you mean "
                            "dx.vlan.mismatch",
                            0),
            0u)
      << err.str();
}

TEST(Explain, APartOfAnIdSuggestsTheIdsHoldingIt) {
  auto near = NearestIds("handshake");
  ASSERT_FALSE(near.empty());
  for (const auto& n : near) EXPECT_NE(n.find("handshake"), std::string::npos) << n;
}

}  // namespace
}  // namespace edgediag::opmode

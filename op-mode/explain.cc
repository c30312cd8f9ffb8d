#include "op-mode/explain.h"

#include <fmt/format.h>

#include <algorithm>
#include <ostream>

#include "op-mode/render.h"

namespace edgediag::opmode {
namespace {

std::size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

}  // namespace

std::string_view FindExplain(std::string_view id) {
  for (const auto& t : ExplainTexts())
    if (t.id == id) return t.text;
  return {};
}

std::vector<std::string> NearestIds(std::string_view id, std::size_t n) {
  // A typo is near in edit distance; a half-remembered id ("md5") shares a
  // part: both count, the distance first.
  std::vector<std::pair<std::size_t, std::string_view>> scored;
  for (const auto& t : ExplainTexts()) {
    std::size_t d = EditDistance(id, t.id);
    if (!id.empty() && t.id.find(id) != std::string_view::npos) d = std::min<std::size_t>(d, 2);
    scored.emplace_back(d, t.id);
  }
  std::stable_sort(scored.begin(), scored.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> out;
  for (const auto& [d, name] : scored) {
    if (out.size() == n || d > std::max<std::size_t>(3, id.size() / 2)) break;
    out.emplace_back(name);
  }
  return out;
}

int RunExplain(std::string_view id, std::ostream& out, std::ostream& err) {
  if (auto text = FindExplain(id); !text.empty()) {
    out << text;
    return 0;
  }
  auto near = NearestIds(id);
  err << "edgediag: explain: unknown check id '" << Printable(id) << "'"
      << (near.empty() ? std::string()
                       : fmt::format("; did you mean {}?", fmt::join(near, ", ")))
      << " (edgediag --list-checks lists every id)\n";
  return 64;
}

}  // namespace edgediag::opmode

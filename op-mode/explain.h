// `edgediag explain ID`: for every check id, what it looks at and why it
// matters, how to verify it by hand on VyOS and on Linux, and the fix. The
// texts are docs/explain/<id>.md, embedded at build time.
#pragma once

#include <iosfwd>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace edgediag::opmode {

struct ExplainText {
  std::string_view id;    ///< the check id, from the file's name
  std::string_view text;  ///< the whole Markdown file
};

/// Every embedded text, sorted by id (generated: explain_texts.cc).
std::span<const ExplainText> ExplainTexts();

/// The text of `id`, or an empty view.
std::string_view FindExplain(std::string_view id);

/// Up to `n` known ids nearest to `id` (edit distance, a shared family
/// first), for "did you mean".
std::vector<std::string> NearestIds(std::string_view id, std::size_t n = 3);

/// Prints the text of `id` and returns 0; for an unknown id, one line to
/// `err` naming the nearest ids and returns 64 (usage).
int RunExplain(std::string_view id, std::ostream& out, std::ostream& err);

}  // namespace edgediag::opmode

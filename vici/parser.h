// Reads a VICI message body element by element (davici's pull parser), and
// a to-tree convenience on top. Every length is checked before it is read;
// unbalanced sections/lists, stray ends and nesting deeper than kMaxDepth are
// errors. Views point into the input span: keep it alive while using them.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string_view>

#include "base/result.h"
#include "vici/element.h"
#include "vici/message.h"

namespace edgediag::vici {

/// One element as read. `name` is set for section/list starts and
/// key/values, `value` for key/values and list items.
struct Element {
  ElementType type = ElementType::kKeyValue;
  std::string_view name;
  std::string_view value;
};

class Parser {
 public:
  explicit Parser(std::span<const std::byte> body) : body_(body) {}

  /// The next element; std::nullopt at the end of a well-formed message.
  /// After an error every further call returns the same error.
  Result<std::optional<Element>> Next();

  /// Sections currently open.
  int depth() const { return depth_; }
  /// Whether a list is open.
  bool in_list() const { return in_list_; }

 private:
  Error Fail(std::string what);
  bool Name(std::string_view& out);
  bool Value(std::string_view& out);

  std::span<const std::byte> body_;
  std::size_t pos_ = 0;
  int depth_ = 0;
  bool in_list_ = false;
  std::optional<Error> error_;
};

/// Decodes a whole body into a tree.
Result<Message> ParseMessage(std::span<const std::byte> body);

}  // namespace edgediag::vici

// Builds a VICI message body, element by element (davici's request builder).
// Misuse (unbalanced sections, an item outside a list, oversize names or
// values, too deep) is remembered and returned by Finish(): calls chain
// without checks in between.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "vici/message.h"

namespace edgediag::vici {

class Builder {
 public:
  /// A key/value in the current section.
  Builder& Add(std::string_view key, std::string_view value);
  /// Opens a sub-section; close it with EndSection().
  Builder& BeginSection(std::string_view name);
  Builder& EndSection();
  /// Opens a list; only AddItem() and EndList() may follow.
  Builder& BeginList(std::string_view name);
  Builder& AddItem(std::string_view value);
  Builder& EndList();

  /// The encoded body, or the first misuse. Open sections or lists are an error.
  Result<std::vector<std::byte>> Finish();

 private:
  void Fail(std::string what);
  bool Name(std::string_view name);
  bool Value(std::string_view value);

  std::vector<std::byte> out_;
  int depth_ = 0;
  bool in_list_ = false;
  std::optional<Error> error_;
};

/// Encodes a whole message tree (what Builder would produce for it).
Result<std::vector<std::byte>> EncodeMessage(const Message& message);

}  // namespace edgediag::vici

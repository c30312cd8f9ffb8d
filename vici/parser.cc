#include "vici/parser.h"

#include <fmt/format.h>

#include <vector>

namespace edgediag::vici {

Error Parser::Fail(std::string what) {
  if (!error_) {
    error_ =
        MakeError(Error::Code::kProtocol, fmt::format("VICI message: {} at byte {}", what, pos_));
  }
  return *error_;
}

bool Parser::Name(std::string_view& out) {
  if (pos_ >= body_.size()) {
    Fail("name length truncated");
    return false;
  }
  const std::size_t len = std::to_integer<std::size_t>(body_[pos_]);
  if (body_.size() - pos_ - 1 < len) {
    Fail(fmt::format("name of {} bytes truncated", len));
    return false;
  }
  out = std::string_view(reinterpret_cast<const char*>(body_.data() + pos_ + 1), len);
  pos_ += 1 + len;
  return true;
}

bool Parser::Value(std::string_view& out) {
  if (body_.size() - pos_ < 2) {
    Fail("value length truncated");
    return false;
  }
  const std::size_t len = (std::to_integer<std::size_t>(body_[pos_]) << 8) |
                          std::to_integer<std::size_t>(body_[pos_ + 1]);
  if (body_.size() - pos_ - 2 < len) {
    Fail(fmt::format("value of {} bytes truncated", len));
    return false;
  }
  out = std::string_view(reinterpret_cast<const char*>(body_.data() + pos_ + 2), len);
  pos_ += 2 + len;
  return true;
}

Result<std::optional<Element>> Parser::Next() {
  if (error_) return *error_;
  if (pos_ == body_.size()) {
    if (in_list_) return Fail("list left open at the end");
    if (depth_ > 0) return Fail(fmt::format("{} section(s) left open at the end", depth_));
    return std::optional<Element>();
  }
  const auto raw = std::to_integer<std::uint8_t>(body_[pos_]);
  Element e;
  e.type = static_cast<ElementType>(raw);
  const std::size_t at = pos_;
  ++pos_;
  auto fail_at = [&](std::string what) {
    pos_ = at;
    return Fail(std::move(what));
  };
  switch (e.type) {
    case ElementType::kSectionStart:
      if (in_list_) return fail_at("section start inside a list");
      if (depth_ >= kMaxDepth)
        return fail_at(fmt::format("sections nest deeper than {}", kMaxDepth));
      if (!Name(e.name)) return *error_;
      ++depth_;
      break;
    case ElementType::kSectionEnd:
      if (in_list_) return fail_at("section end inside a list");
      if (depth_ == 0) return fail_at("section end without an open section");
      --depth_;
      break;
    case ElementType::kKeyValue:
      if (in_list_) return fail_at("key/value inside a list");
      if (!Name(e.name) || !Value(e.value)) return *error_;
      break;
    case ElementType::kListStart:
      if (in_list_) return fail_at("list start inside a list");
      if (!Name(e.name)) return *error_;
      in_list_ = true;
      break;
    case ElementType::kListItem:
      if (!in_list_) return fail_at("list item outside a list");
      if (!Value(e.value)) return *error_;
      break;
    case ElementType::kListEnd:
      if (!in_list_) return fail_at("list end without an open list");
      in_list_ = false;
      break;
    default:
      return fail_at(fmt::format("unknown element type {}", raw));
  }
  return std::optional<Element>(e);
}

Result<Message> ParseMessage(std::span<const std::byte> body) {
  Parser parser(body);
  Message message;
  // The path of open sections; depth is bounded by the parser (kMaxDepth).
  std::vector<Section*> open{&message};
  std::vector<std::string>* list = nullptr;
  while (true) {
    auto next = parser.Next();
    if (!next) return next.error();
    if (!next->has_value()) break;
    const Element& e = **next;
    Section& current = *open.back();
    switch (e.type) {
      case ElementType::kSectionStart: {
        Entry& entry = current.entries.emplace_back();
        entry.kind = Entry::Kind::kSection;
        entry.name = e.name;
        open.push_back(&entry.section);
        break;
      }
      case ElementType::kSectionEnd:
        open.pop_back();
        break;
      case ElementType::kKeyValue: {
        Entry& entry = current.entries.emplace_back();
        entry.name = e.name;
        entry.value = e.value;
        break;
      }
      case ElementType::kListStart: {
        Entry& entry = current.entries.emplace_back();
        entry.kind = Entry::Kind::kList;
        entry.name = e.name;
        list = &entry.items;
        break;
      }
      case ElementType::kListItem:
        list->emplace_back(e.value);
        break;
      case ElementType::kListEnd:
        list = nullptr;
        break;
    }
  }
  return message;
}

}  // namespace edgediag::vici

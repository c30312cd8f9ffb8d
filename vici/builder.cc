#include "vici/builder.h"

#include <fmt/format.h>

#include "vici/element.h"
#include "vici/packet.h"

namespace edgediag::vici {

void Builder::Fail(std::string what) {
  if (!error_) error_ = MakeError(Error::Code::kInvalidInput, "VICI builder: " + std::move(what));
}

bool Builder::Name(std::string_view name) {
  if (name.size() > kMaxNameSize) {
    Fail(fmt::format("name of {} bytes exceeds {}", name.size(), kMaxNameSize));
    return false;
  }
  out_.push_back(static_cast<std::byte>(name.size()));
  for (char c : name) out_.push_back(static_cast<std::byte>(c));
  return true;
}

bool Builder::Value(std::string_view value) {
  if (value.size() > kMaxValueSize) {
    Fail(fmt::format("value of {} bytes exceeds {}", value.size(), kMaxValueSize));
    return false;
  }
  out_.push_back(static_cast<std::byte>(value.size() >> 8));
  out_.push_back(static_cast<std::byte>(value.size() & 0xff));
  for (char c : value) out_.push_back(static_cast<std::byte>(c));
  return true;
}

Builder& Builder::Add(std::string_view key, std::string_view value) {
  if (error_) return *this;
  if (in_list_) {
    Fail(fmt::format("key/value \"{}\" inside a list", key));
    return *this;
  }
  out_.push_back(static_cast<std::byte>(ElementType::kKeyValue));
  if (Name(key)) Value(value);
  return *this;
}

Builder& Builder::BeginSection(std::string_view name) {
  if (error_) return *this;
  if (in_list_) {
    Fail(fmt::format("section \"{}\" inside a list", name));
    return *this;
  }
  if (depth_ >= kMaxDepth) {
    Fail(fmt::format("section \"{}\" nests deeper than {}", name, kMaxDepth));
    return *this;
  }
  out_.push_back(static_cast<std::byte>(ElementType::kSectionStart));
  if (Name(name)) ++depth_;
  return *this;
}

Builder& Builder::EndSection() {
  if (error_) return *this;
  if (in_list_) {
    Fail("section end inside a list");
  } else if (depth_ == 0) {
    Fail("section end without an open section");
  } else {
    out_.push_back(static_cast<std::byte>(ElementType::kSectionEnd));
    --depth_;
  }
  return *this;
}

Builder& Builder::BeginList(std::string_view name) {
  if (error_) return *this;
  if (in_list_) {
    Fail(fmt::format("list \"{}\" inside a list", name));
    return *this;
  }
  out_.push_back(static_cast<std::byte>(ElementType::kListStart));
  if (Name(name)) in_list_ = true;
  return *this;
}

Builder& Builder::AddItem(std::string_view value) {
  if (error_) return *this;
  if (!in_list_) {
    Fail("list item outside a list");
    return *this;
  }
  out_.push_back(static_cast<std::byte>(ElementType::kListItem));
  Value(value);
  return *this;
}

Builder& Builder::EndList() {
  if (error_) return *this;
  if (!in_list_) {
    Fail("list end without an open list");
    return *this;
  }
  out_.push_back(static_cast<std::byte>(ElementType::kListEnd));
  in_list_ = false;
  return *this;
}

Result<std::vector<std::byte>> Builder::Finish() {
  if (!error_ && in_list_) Fail("list left open");
  if (!error_ && depth_ > 0) Fail(fmt::format("{} section(s) left open", depth_));
  // Leave room for the largest packet header (type, name length, 255-byte name).
  if (!error_ && out_.size() > kMaxFrame - 2 - kMaxNameSize) {
    Fail(fmt::format("message of {} bytes exceeds the 512 KiB limit", out_.size()));
  }
  if (error_) return *error_;
  return std::move(out_);
}

namespace {

void EncodeSection(Builder& b, const Section& section) {
  for (const Entry& e : section.entries) {
    switch (e.kind) {
      case Entry::Kind::kValue:
        b.Add(e.name, e.value);
        break;
      case Entry::Kind::kList:
        b.BeginList(e.name);
        for (const std::string& item : e.items) b.AddItem(item);
        b.EndList();
        break;
      case Entry::Kind::kSection:
        b.BeginSection(e.name);
        EncodeSection(b, e.section);
        b.EndSection();
        break;
    }
  }
}

}  // namespace

Result<std::vector<std::byte>> EncodeMessage(const Message& message) {
  Builder b;
  EncodeSection(b, message);  // depth is bounded by the builder (kMaxDepth)
  return b.Finish();
}

}  // namespace edgediag::vici

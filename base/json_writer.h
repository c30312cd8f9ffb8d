// A JSON text written straight from the program's own structs, without an
// nlohmann::json tree in between. On a router with thousands of interfaces
// and peers the tree's allocations cost several times the writing: the
// snapshot file and the JSON report both go through here.
//
// Compact (indent 0) or pretty-printed exactly as nlohmann's dump(indent)
// prints: a newline and `indent` spaces per level, "key": value, and [] / {}
// for empty containers. Strings are escaped as nlohmann escapes them
// (ensure_ascii off); a byte that is no UTF-8 becomes U+FFFD.
#pragma once

#include <charconv>
#include <concepts>
#include <string>
#include <string_view>

namespace edgediag {

class JsonWriter {
 public:
  explicit JsonWriter(int indent = 0) : indent_(indent) {}

  std::string text;

  void Open(char c) {
    Comma();
    text += c;
    ++depth_;
  }
  void Close(char c) {
    --depth_;
    // Pretty: a non-empty container's closing bracket on its own line.
    if (indent_ > 0 && text.back() != '{' && text.back() != '[') Newline();
    text += c;
  }
  /// A key that needs no escaping (a field name).
  void Key(std::string_view k) {
    Comma();
    text += '"';
    text += k;
    text += indent_ > 0 ? "\": " : "\":";
    after_key_ = true;
  }
  /// A key that may need escaping (from a map).
  void MapKey(std::string_view k) {
    String(k);
    text += indent_ > 0 ? ": " : ":";
    after_key_ = true;
  }
  void Null() { Raw("null"); }
  void Bool(bool v) { Raw(v ? "true" : "false"); }
  /// A value already in JSON (compact).
  void Raw(std::string_view v) {
    Comma();
    text += v;
  }
  template <std::integral T>
  void Number(T v) {
    Comma();
    char buf[24];
    auto r = std::to_chars(buf, buf + sizeof(buf), v);
    text.append(buf, r.ptr);
  }
  /// As nlohmann writes it: 1.0 stays a float, NaN and infinities are null.
  void Number(double v);
  void String(std::string_view s);

 private:
  // Before every value or key but the first of its container a comma; none
  // right after a key. Pretty: then a newline and the indentation.
  void Comma() {
    if (after_key_) {
      after_key_ = false;
      return;
    }
    if (text.empty()) return;
    bool first = text.back() == '{' || text.back() == '[';
    if (!first) text += ',';
    if (indent_ > 0) Newline();
  }
  void Newline() {
    text += '\n';
    text.append(static_cast<std::size_t>(depth_ * indent_), ' ');
  }

  int indent_;
  int depth_ = 0;
  bool after_key_ = false;
};

}  // namespace edgediag

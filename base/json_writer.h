// A JSON text written straight from the program's own structs, without an
// nlohmann::json tree in between. On a router with thousands of interfaces
// and peers the tree's allocations cost several times the writing: the
// snapshot file and the JSON report both go through here.
//
// Two layouts: compact, as nlohmann's dump() prints; or spaced, with ", "
// and ": " and line breaks where the caller asks for them (LineBreak).
// Strings are escaped as nlohmann escapes them (ensure_ascii off); a byte
// that is no UTF-8 becomes U+FFFD.
#pragma once

#include <charconv>
#include <concepts>
#include <string>
#include <string_view>

namespace edgediag {

class JsonWriter {
 public:
  JsonWriter() = default;
  /// ", " and ": " between items.
  static JsonWriter Spaced() {
    JsonWriter w;
    w.spaced_ = true;
    return w;
  }

  /// Spaced layout: the next item, or the closing bracket of a non-empty
  /// container, starts a new line indented by `spaces`.
  void LineBreak(int spaces) { break_ = spaces; }

  /// The text written so far.
  std::string text;

  void Open(char c) {
    Comma();
    text += c;
    first_ = true;
  }
  void Close(char c) {
    if (break_ >= 0 && !first_) Break();
    break_ = -1;
    text += c;
    first_ = false;
  }
  /// A key that needs no escaping (a field name).
  void Key(std::string_view k) {
    Comma();
    text += '"';
    Put(k);
    text += '"';
    text += ':';
    if (spaced_) text += ' ';
    after_key_ = true;
  }
  /// A key that may need escaping (from a map).
  void MapKey(std::string_view k) {
    String(k);
    text += ':';
    if (spaced_) text += ' ';
    after_key_ = true;
  }
  void Null() { Raw("null"); }
  void Bool(bool v) { Raw(v ? "true" : "false"); }
  /// A value already in JSON (compact).
  void Raw(std::string_view v) {
    Comma();
    Put(v);
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
  // right after a key. Then a space (spaced) or a pending line break.
  void Comma() {
    if (after_key_) {
      after_key_ = false;
      return;
    }
    if (!first_) text += ',';
    if (break_ >= 0)
      Break();
    else if (spaced_ && !first_)
      text += ' ';
    first_ = false;
  }
  void Break() {
    text += '\n';
    text.append(static_cast<std::size_t>(break_), ' ');
    break_ = -1;
  }
  void Put(std::string_view s) { text.append(s); }

  bool spaced_ = false;
  int break_ = -1;  ///< LineBreak's indentation, pending
  bool first_ = true;  ///< nothing written yet in the current container
  bool after_key_ = false;
};

}  // namespace edgediag

// A JSON text written straight from the program's own structs, without an
// nlohmann::json tree in between. On a router with thousands of interfaces
// and peers the tree's allocations cost several times the writing: the
// snapshot file and the JSON report both go through here.
//
// Two layouts: compact, as nlohmann's dump() prints; or spaced, with ", "
// and ": " and line breaks where the caller asks for them (LineBreak).
// Strings are escaped as nlohmann escapes them (ensure_ascii off); each byte
// that is not part of valid UTF-8 becomes U+FFFD (nlohmann's dump would
// throw, or with its "replace" handler write one per broken sequence).
#pragma once

#include <algorithm>
#include <charconv>
#include <concepts>
#include <cstring>
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

  /// Room for `n` more bytes without growing.
  void Reserve(std::size_t n) { Room(n); }
  /// The text written so far.
  std::string_view view() const { return {buf_.data(), len_}; }
  /// The text written so far; the writer is left empty.
  std::string Take() {
    buf_.resize(len_);
    len_ = 0;
    return std::move(buf_);
  }
  /// Text appended as it is, outside the JSON grammar's bookkeeping.
  void Append(std::string_view s) { Put(s.data(), s.size()); }

  void Open(char c) {
    Comma();
    Put(c);
    first_ = true;
  }
  void Close(char c) {
    if (break_ >= 0 && !first_) Break();
    break_ = -1;
    Put(c);
    first_ = false;
  }
  /// A key that needs no escaping (a field name).
  void Key(std::string_view k) {
    Comma();
    char* p = Room(k.size() + 4);
    *p++ = '"';
    std::memcpy(p, k.data(), k.size());
    p += k.size();
    *p++ = '"';
    *p++ = ':';
    if (spaced_) *p++ = ' ';
    len_ = static_cast<std::size_t>(p - buf_.data());
    after_key_ = true;
  }
  /// A key that may need escaping (from a map).
  void MapKey(std::string_view k) {
    String(k);
    Put(':');
    if (spaced_) Put(' ');
    after_key_ = true;
  }
  void Null() { Raw("null"); }
  void Bool(bool v) { Raw(v ? "true" : "false"); }
  /// A value already in JSON (compact).
  void Raw(std::string_view v) {
    Comma();
    Put(v.data(), v.size());
  }
  template <std::integral T>
  void Number(T v) {
    Comma();
    char* p = Room(24);
    len_ = static_cast<std::size_t>(std::to_chars(p, p + 24, v).ptr - buf_.data());
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
    if (!first_) Put(',');
    if (break_ >= 0)
      Break();
    else if (spaced_ && !first_)
      Put(' ');
    first_ = false;
  }
  void Break() {
    char* p = Room(static_cast<std::size_t>(break_) + 1);
    *p++ = '\n';
    std::memset(p, ' ', static_cast<std::size_t>(break_));
    len_ += static_cast<std::size_t>(break_) + 1;
    break_ = -1;
  }

  // The text lives in buf_[0, len_); buf_ beyond is room already made, so
  // that writing a byte is a store, not a std::string append (a report of
  // 10,000 peers is millions of small pieces).
  char* Room(std::size_t n) {
    if (buf_.size() - len_ < n) Grow(n);
    return buf_.data() + len_;
  }
  void Grow(std::size_t n) { buf_.resize(std::max(2 * buf_.size(), len_ + n + 256)); }
  void Put(char c) {
    *Room(1) = c;
    ++len_;
  }
  void Put(const char* p, std::size_t n) {
    std::memcpy(Room(n), p, n);
    len_ += n;
  }

  std::string buf_;
  std::size_t len_ = 0;
  bool spaced_ = false;
  int break_ = -1;  ///< LineBreak's indentation, pending
  bool first_ = true;  ///< nothing written yet in the current container
  bool after_key_ = false;
};

}  // namespace edgediag

// The VICI message model: an ordered tree of key/values, lists and sections.
// Header-only plain values on purpose: plugin/ maps messages to the Snapshot
// in its pure core (edgediag_plugin_core), which must not link the vici
// library (sockets); it includes this header and nothing else from vici/.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace edgediag::vici {

struct Entry;

/// A section (the message itself is the unnamed top-level section).
/// Entries keep the wire order; names may repeat, lookups return the first.
struct Section {
  std::vector<Entry> entries;

  /// The value of key/value `name`, or nullptr when absent or not a value.
  const std::string* Value(std::string_view name) const;
  /// The items of list `name`, or nullptr when absent or not a list.
  const std::vector<std::string>* List(std::string_view name) const;
  /// The sub-section `name`, or nullptr when absent or not a section.
  const Section* Sub(std::string_view name) const;
  /// The first entry called `name`, of any kind, or nullptr.
  const Entry* Find(std::string_view name) const;

  bool operator==(const Section&) const = default;
};

/// One element of a section: a key/value, a list of values, or a section.
/// Values are bytes (numbers travel as decimal strings); std::string holds them.
struct Entry {
  enum class Kind { kValue, kList, kSection };
  Kind kind = Kind::kValue;
  std::string name;
  std::string value;               ///< kValue
  std::vector<std::string> items;  ///< kList
  Section section;                 ///< kSection

  bool operator==(const Entry&) const = default;
};

/// A decoded message body.
using Message = Section;

inline const Entry* Section::Find(std::string_view name) const {
  for (const Entry& e : entries) {
    if (e.name == name) return &e;
  }
  return nullptr;
}

inline const std::string* Section::Value(std::string_view name) const {
  for (const Entry& e : entries) {
    if (e.kind == Entry::Kind::kValue && e.name == name) return &e.value;
  }
  return nullptr;
}

inline const std::vector<std::string>* Section::List(std::string_view name) const {
  for (const Entry& e : entries) {
    if (e.kind == Entry::Kind::kList && e.name == name) return &e.items;
  }
  return nullptr;
}

inline const Section* Section::Sub(std::string_view name) const {
  for (const Entry& e : entries) {
    if (e.kind == Entry::Kind::kSection && e.name == name) return &e.section;
  }
  return nullptr;
}

}  // namespace edgediag::vici

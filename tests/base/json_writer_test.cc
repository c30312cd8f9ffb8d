// JsonWriter against nlohmann's own dump: the same compact text for every
// shape the snapshot and the report use; the report's spaced layout.
#include "base/json_writer.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>

namespace edgediag {
namespace {

using ordered = nlohmann::ordered_json;

std::string Written() {
  JsonWriter w;
  w.Open('{');
  w.Key("name");
  w.String("wg0 \"quoted\" \\ tab\t nl\n bell\x07 caf\xc3\xa9 \xe2\x80\x8b del\x7f");
  w.Key("empty_array");
  w.Open('[');
  w.Close(']');
  w.Key("empty_object");
  w.Open('{');
  w.Close('}');
  w.Key("numbers");
  w.Open('[');
  w.Number(0);
  w.Number(-42);
  w.Number(std::numeric_limits<std::uint64_t>::max());
  w.Number(1.0);
  w.Number(0.25);
  w.Close(']');
  w.Key("nested");
  w.Open('[');
  w.Open('{');
  w.MapKey("k\"ey");
  w.Bool(true);
  w.Key("n");
  w.Null();
  w.Close('}');
  w.Open('[');
  w.Open('[');
  w.Close(']');
  w.Close(']');
  w.Close(']');
  w.Close('}');
  return w.Take();
}

ordered Expected() {
  ordered j;
  j["name"] = "wg0 \"quoted\" \\ tab\t nl\n bell\x07 caf\xc3\xa9 \xe2\x80\x8b del\x7f";
  j["empty_array"] = ordered::array();
  j["empty_object"] = ordered::object();
  j["numbers"] = {0, -42, std::numeric_limits<std::uint64_t>::max(), 1.0, 0.25};
  ordered inner;
  inner["k\"ey"] = true;
  inner["n"] = nullptr;
  j["nested"] = ordered::array({inner, ordered::array({ordered::array()})});
  return j;
}

TEST(JsonWriter, CompactIsNlohmannsDump) { EXPECT_EQ(Written(), Expected().dump()); }

TEST(JsonWriter, SpacedWithLineBreaksWhereAsked) {
  JsonWriter w = JsonWriter::Spaced();
  w.Open('{');
  w.Key("a");
  w.Number(1);
  w.LineBreak(1);
  w.Key("list");
  w.Open('[');
  for (int i = 0; i < 2; ++i) {
    w.LineBreak(2);
    w.Open('{');
    w.Key("i");
    w.Number(i);
    w.Key("e");
    w.Open('[');
    w.Close(']');
    w.Close('}');
  }
  w.LineBreak(1);
  w.Close(']');
  w.LineBreak(1);
  w.Key("none");
  w.Open('[');
  w.LineBreak(1);  // an empty container stays "[]"
  w.Close(']');
  w.Close('}');
  EXPECT_EQ(w.view(),
            "{\"a\": 1,\n \"list\": [\n  {\"i\": 0, \"e\": []},\n  {\"i\": 1, \"e\": []}\n ],\n"
            " \"none\": []}");
  EXPECT_EQ(nlohmann::json::parse(w.view()).dump(),
            R"({"a":1,"list":[{"e":[],"i":0},{"e":[],"i":1}],"none":[]})");
}

TEST(JsonWriter, NotUtf8BecomesReplacementCharacter) {
  JsonWriter w;
  w.String(std::string("a\xff" "b\xc3", 4));
  EXPECT_EQ(w.view(), "\"a\xef\xbf\xbd" "b\xef\xbf\xbd\"");
  EXPECT_FALSE(nlohmann::json::parse(w.view(), nullptr, false).is_discarded());
}

// The eight-bytes-at-a-time scan must still stop at every byte that needs
// escaping, wherever it falls in a block.
TEST(JsonWriter, EscapesAtEveryOffset) {
  for (std::string special : {"\"", "\\", "\n", "\x01", "\x1f", "\x7f", "\xc3\xa9", "\xff"})
    for (std::size_t len = 0; len < 40; ++len)
      for (std::size_t at = 0; at <= len; ++at) {
        std::string v(len, 'a');
        v.insert(at, special);
        JsonWriter w;
        w.String(v);
        ASSERT_EQ(w.view(), nlohmann::json(v).dump(-1, ' ', false,
                                                 nlohmann::json::error_handler_t::replace))
            << "len " << len << " at " << at;
      }
}

TEST(JsonWriter, NonFiniteIsNull) {
  JsonWriter w;
  w.Open('[');
  w.Number(std::numeric_limits<double>::infinity());
  w.Number(std::numeric_limits<double>::quiet_NaN());
  w.Close(']');
  EXPECT_EQ(w.view(), "[null,null]");
}

}  // namespace
}  // namespace edgediag

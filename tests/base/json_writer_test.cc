// JsonWriter against nlohmann's own dump: the same text, compact and pretty,
// for every shape the snapshot and the report use.
#include "base/json_writer.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>

namespace edgediag {
namespace {

using ordered = nlohmann::ordered_json;

// The same document written both ways.
std::string Written(int indent) {
  JsonWriter w(indent);
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
  return w.text;
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

TEST(JsonWriter, CompactIsNlohmannsDump) { EXPECT_EQ(Written(0), Expected().dump()); }

TEST(JsonWriter, PrettyIsNlohmannsDumpWithIndent) {
  EXPECT_EQ(Written(2), Expected().dump(2));
  EXPECT_EQ(Written(4), Expected().dump(4));
}

TEST(JsonWriter, NotUtf8BecomesReplacementCharacter) {
  JsonWriter w;
  w.String(std::string("a\xff" "b\xc3", 4));
  EXPECT_EQ(w.text, "\"a\xef\xbf\xbd" "b\xef\xbf\xbd\"");
  EXPECT_FALSE(nlohmann::json::parse(w.text, nullptr, false).is_discarded());
}

TEST(JsonWriter, NonFiniteIsNull) {
  JsonWriter w;
  w.Open('[');
  w.Number(std::numeric_limits<double>::infinity());
  w.Number(std::numeric_limits<double>::quiet_NaN());
  w.Close(']');
  EXPECT_EQ(w.text, "[null,null]");
}

}  // namespace
}  // namespace edgediag

// libFuzzer: snapshot documents (`edgediag --snapshot`, bug reports, hand edits).
// Any text must give a value or an error, never an exception or a crash.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "plugin/snapshot_json.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)edgediag::plugin::ParseSnapshot(text, "fuzz.json");
  return 0;
}

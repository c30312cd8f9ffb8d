// libFuzzer: the check state file (previous snapshot and findings; a bare snapshot too).
// Any text must give a value or an error, never an exception or a crash.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "op-mode/check.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)edgediag::opmode::ParseCheckState(text, "state.json");
  return 0;
}

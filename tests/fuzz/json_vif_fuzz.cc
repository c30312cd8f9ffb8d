// libFuzzer: AWS VIF files (describe-virtual-interfaces output) -> Vif values,
// authKey hashed on the spot.
// Any text must give a value or an error, never an exception or a crash.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "plugin/vif_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)edgediag::plugin::ParseVifs(text, "fuzz.json", "fuzz-salt");
  return 0;
}

// libFuzzer: `nft -j list ruleset` -> the source-NAT rules.
// Any text must give a value or an error, never an exception or a crash.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "plugin/nft_json.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)edgediag::plugin::ParseNftRuleset(text);
  return 0;
}

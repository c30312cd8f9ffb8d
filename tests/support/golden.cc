#include "tests/support/golden.h"

#include <cstdlib>
#include <stdexcept>
#include <string>

#include "plugin/snapshot_json.h"

namespace edgediag::testing {

void RecordGoldenInput(std::string_view name, const plugin::Snapshot& now,
                       const plugin::Snapshot* previous) {
  const char* dir = std::getenv("EDGEDIAG_GOLDEN_OUT");
  if (dir == nullptr || *dir == '\0') return;
  std::string base = std::string(dir) + "/" + std::string(name);
  if (!plugin::SaveSnapshot(now, base + ".json")) throw std::runtime_error("cannot write " + base);
  if (previous != nullptr && !plugin::SaveSnapshot(*previous, base + ".prev.json"))
    throw std::runtime_error("cannot write " + base + ".prev.json");
}

}  // namespace edgediag::testing

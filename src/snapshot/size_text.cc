#include "snapshot/size_text.h"

#include <fmt/format.h>

namespace mimeo::snapshot {

std::string describe_size(uint64_t bytes) {
  static constexpr struct {
    int shift;
    const char* unit;
  } kUnits[] = {{60, "EiB"}, {50, "PiB"}, {40, "TiB"}, {30, "GiB"}, {20, "MiB"}, {10, "KiB"}};
  for (const auto& u : kUnits) {
    uint64_t unit = uint64_t{1} << u.shift;
    if (bytes != 0 && bytes % unit == 0) {
      return fmt::format("{} {}", bytes / unit, u.unit);
    }
  }
  return fmt::format("{} bytes", bytes);
}

}  // namespace mimeo::snapshot

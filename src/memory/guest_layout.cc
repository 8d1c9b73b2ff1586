#include "memory/guest_layout.h"

#include <fmt/format.h>

#include <algorithm>

namespace mimeo::memory {

Result<std::vector<PlannedRange>> plan_guest_ranges(std::span<const uint64_t> backend_sizes) {
  if (backend_sizes.empty()) {
    return make_error("guest memory: no memory backend for the boot RAM");
  }
  std::vector<PlannedRange> ranges;
  uint64_t cursor = 0;
  for (size_t i = 0; i < backend_sizes.size(); ++i) {
    const uint64_t size = backend_sizes[i];
    if (size == 0) {
      return make_error(fmt::format("guest memory: backend {} has size 0", i));
    }
    uint64_t gpa = i == 0 ? 0 : align_up(cursor, kNodeAlignment);
    if (gpa >= kLowRamEnd && gpa < kHighRamStart) {
      gpa = kHighRamStart;
    }
    if (gpa > kGuestPhysicalLimit || size > kGuestPhysicalLimit - gpa) {
      return make_error(
          fmt::format("guest memory: backend {} ({:#x} bytes at GPA {:#x}) ends beyond the 52-bit "
                      "guest-physical address space",
                      i, size, gpa));
    }
    for (uint64_t placed = 0; placed < size;) {
      uint64_t len = size - placed;
      if (gpa < kLowRamEnd) {
        len = std::min(len, kLowRamEnd - gpa);
      }
      ranges.push_back({i, placed, gpa, len});
      placed += len;
      gpa += len;
      if (gpa == kLowRamEnd) {
        gpa = kHighRamStart;  // the rest continues above the MMIO hole
      }
    }
    cursor = ranges.back().gpa + ranges.back().size;
    if (ranges.back().gpa + ranges.back().size > kGuestPhysicalLimit) {
      return make_error(fmt::format(
          "guest memory: backend {} ends beyond the 52-bit guest-physical address space", i));
    }
  }
  return ranges;
}

}  // namespace mimeo::memory

// Where each backend's bytes go in guest-physical address space (pure arithmetic, so
// it is testable for any size without memory):
//  - backends[0], the boot RAM, starts at GPA 0;
//  - RAM never lies in [3 GiB, 4 GiB), the hole for MMIO (IOAPIC at 0xfec00000,
//    LAPIC at 0xfee00000, ...): a backend that would cross 3 GiB is split and its
//    part above 3 GiB continues at 4 GiB;
//  - every further backend (NUMA node i) starts at the first 1 GiB-aligned GPA at or
//    after the end of the previous one (4 GiB if that falls in the hole).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "base/result.h"
#include "memory/page_size.h"

namespace mimeo::memory {

inline constexpr uint64_t kLowRamEnd = 3 * kGiB;     // RAM below the hole ends here
inline constexpr uint64_t kHighRamStart = 4 * kGiB;  // RAM above the hole starts here
inline constexpr uint64_t kNodeAlignment = kGiB;
inline constexpr uint64_t kGuestPhysicalLimit = 1ULL << 52;  // x86-64 MAXPHYADDR at most

struct PlannedRange {
  size_t backend;           // index into the backends
  uint64_t backend_offset;  // first byte of the backend in this range
  uint64_t gpa;
  uint64_t size;

  bool operator==(const PlannedRange&) const = default;
};

// Ranges in GPA order. Fails for no backends, a zero size or RAM beyond 2^52.
Result<std::vector<PlannedRange>> plan_guest_ranges(std::span<const uint64_t> backend_sizes);

}  // namespace mimeo::memory

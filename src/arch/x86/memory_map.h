// The guest's memory map (e820 for Linux, the PVH memmap) derived from its RAM.
#pragma once

#include <cstdint>
#include <vector>

#include "arch/x86/guest_ram.h"
#include "base/result.h"

namespace mimeo::x86 {

// E820 and PVH (XEN_HVM_MEMMAP_TYPE_*) share these values.
enum class MemoryType : uint32_t { kRam = 1, kReserved = 2 };

struct MemoryMapEntry {
  uint64_t addr = 0;
  uint64_t size = 0;
  MemoryType type = MemoryType::kRam;

  [[nodiscard]] uint64_t end() const { return addr + size; }
  friend bool operator==(const MemoryMapEntry&, const MemoryMapEntry&) = default;
};

// RAM ranges as usable RAM, minus the legacy hole [0x9fc00, 0x100000), which is
// listed as reserved when RAM reaches below 1 MiB; touching ranges are merged.
// Fails when there is no RAM or more than kMaxMemoryMapEntries entries result.
Result<std::vector<MemoryMapEntry>> build_memory_map(const std::vector<RamRange>& ram);

}  // namespace mimeo::x86

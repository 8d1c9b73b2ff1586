#include "arch/x86/memory_map.h"

#include <fmt/format.h>

#include <algorithm>

#include "arch/x86/boot_layout.h"

namespace mimeo::x86 {

Result<std::vector<MemoryMapEntry>> build_memory_map(const std::vector<RamRange>& ram) {
  // RAM pieces outside the legacy hole, plus the hole as reserved when RAM
  // reaches below 1 MiB; then sorted, with touching RAM pieces merged.
  std::vector<MemoryMapEntry> pieces;
  bool low_ram = false;
  for (const RamRange& range : ram) {
    if (range.size == 0) {
      continue;
    }
    const uint64_t below_end = std::min(range.end(), kLegacyHoleStart);
    if (range.gpa < below_end) {
      pieces.push_back(MemoryMapEntry{range.gpa, below_end - range.gpa, MemoryType::kRam});
    }
    const uint64_t above_start = std::max(range.gpa, kLegacyHoleEnd);
    if (above_start < range.end()) {
      pieces.push_back(MemoryMapEntry{above_start, range.end() - above_start, MemoryType::kRam});
    }
    low_ram = low_ram || range.gpa < kLegacyHoleEnd;
  }
  if (pieces.empty()) {
    return make_error("the guest has no RAM");
  }
  if (low_ram) {
    pieces.push_back(
        MemoryMapEntry{kLegacyHoleStart, kLegacyHoleEnd - kLegacyHoleStart, MemoryType::kReserved});
  }
  std::sort(pieces.begin(), pieces.end(),
            [](const MemoryMapEntry& a, const MemoryMapEntry& b) { return a.addr < b.addr; });
  std::vector<MemoryMapEntry> map;
  for (const MemoryMapEntry& piece : pieces) {
    if (!map.empty() && map.back().type == MemoryType::kRam && piece.type == MemoryType::kRam &&
        map.back().end() == piece.addr) {
      map.back().size += piece.size;
      continue;
    }
    map.push_back(piece);
  }
  if (map.size() > kMaxMemoryMapEntries) {
    return make_error(fmt::format("guest RAM needs {} memory map entries; at most {} fit",
                                  map.size(), kMaxMemoryMapEntries));
  }
  return map;
}

}  // namespace mimeo::x86

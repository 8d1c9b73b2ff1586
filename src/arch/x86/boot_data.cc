#include "arch/x86/boot_data.h"

#include <fmt/format.h>

#include <algorithm>

#include "arch/x86/boot_layout.h"
#include "arch/x86/memory_map.h"

namespace mimeo::x86 {

namespace {

bool overlaps(uint64_t start, uint64_t end, uint64_t other_start, uint64_t other_end) {
  return start < other_end && other_start < end;
}

}  // namespace

Status check_boot_data_area(const GuestRam& ram) {
  if (!ram.contains(kBootDataStart, kBootDataEnd - kBootDataStart)) {
    return make_error(fmt::format("guest RAM does not cover [{:#x}, {:#x}), where boot data goes",
                                  kBootDataStart, kBootDataEnd));
  }
  return {};
}

Status check_kernel_range(const GuestRam& ram, uint64_t start, uint64_t size,
                          std::string_view what) {
  if (size > UINT64_MAX - start) {
    return make_error(fmt::format("{} at {:#x} of {:#x} bytes wraps around the address space", what,
                                  start, size));
  }
  const uint64_t end = start + size;
  if (!ram.contains(start, size)) {
    return make_error(fmt::format("{} [{:#x}, {:#x}) lies outside guest RAM (which ends at {:#x})",
                                  what, start, end, ram.end()));
  }
  if (overlaps(start, end, kBootDataStart, kBootDataEnd)) {
    return make_error(fmt::format("{} [{:#x}, {:#x}) overlaps the boot data area [{:#x}, {:#x})",
                                  what, start, end, kBootDataStart, kBootDataEnd));
  }
  if (overlaps(start, end, kLegacyHoleStart, kLegacyHoleEnd)) {
    return make_error(
        fmt::format("{} [{:#x}, {:#x}) overlaps the reserved legacy area [{:#x}, {:#x})", what,
                    start, end, kLegacyHoleStart, kLegacyHoleEnd));
  }
  return {};
}

Status write_cmdline(const GuestRam& ram, std::string_view cmdline, uint64_t max_length) {
  max_length = std::min<uint64_t>(max_length, kCmdlineAreaSize - 1);
  if (cmdline.size() > max_length) {
    return make_error(fmt::format("kernel command line is {} bytes long; at most {} fit",
                                  cmdline.size(), max_length));
  }
  if (cmdline.find('\0') != std::string_view::npos) {
    return make_error("kernel command line contains a NUL byte");
  }
  MIMEO_TRY(ram.write(kCmdlineAddr,
                      std::span(reinterpret_cast<const uint8_t*>(cmdline.data()), cmdline.size())));
  const uint8_t nul = 0;
  return ram.write(kCmdlineAddr + cmdline.size(), std::span(&nul, 1));
}

Result<RamRange> load_initrd(const GuestRam& ram, std::span<const uint8_t> initrd, uint64_t lowest,
                             uint64_t limit) {
  const uint64_t size = initrd.size();
  MIMEO_ASSIGN_OR_RETURN(auto map, build_memory_map(ram.ram));
  for (auto it = map.rbegin(); it != map.rend(); ++it) {
    if (it->type != MemoryType::kRam) {
      continue;
    }
    const uint64_t low = std::max({it->addr, lowest, kBootDataEnd});
    const uint64_t high = std::min(it->end(), limit);
    if (high < low || high - low < size) {
      continue;
    }
    const uint64_t gpa = align_down(high - size, kPageSize);
    if (gpa < low) {
      continue;
    }
    MIMEO_TRY(ram.write(gpa, initrd));
    return RamRange{gpa, size};
  }
  return make_error(fmt::format(
      "initrd of {} bytes does not fit in guest RAM between {:#x} (end of the kernel) and {:#x}",
      size, lowest, std::min(limit, ram.end())));
}

}  // namespace mimeo::x86

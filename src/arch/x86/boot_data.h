// Checks and writes shared by the PVH and bzImage loaders: where a kernel may
// go, the command line, and where the initrd goes.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "arch/x86/guest_ram.h"
#include "base/result.h"

namespace mimeo::x86 {

// What the user asked to boot with, besides the kernel image.
struct BootOptions {
  std::string_view cmdline;         // -append
  std::span<const uint8_t> initrd;  // -initrd contents; empty for none
};

// Fails unless guest RAM covers the boot data area [0x500, 0x30000).
Status check_boot_data_area(const GuestRam& ram);

// Fails unless [start, start + size) is RAM and overlaps neither the boot data
// area nor the legacy hole; `what` names the range in the error ("ELF segment 1").
Status check_kernel_range(const GuestRam& ram, uint64_t start, uint64_t size,
                          std::string_view what);

// Writes `cmdline` NUL-terminated at kCmdlineAddr. Fails when it is longer than
// `max_length` bytes (excluding the NUL) or contains a NUL byte.
Status write_cmdline(const GuestRam& ram, std::string_view cmdline, uint64_t max_length);

// Copies the initrd to the highest page-aligned GPA where it lies in usable RAM
// (never the legacy hole), at or above `lowest`, and ends at or below `limit`.
// Returns where it went.
Result<RamRange> load_initrd(const GuestRam& ram, std::span<const uint8_t> initrd, uint64_t lowest,
                             uint64_t limit);

[[nodiscard]] constexpr uint64_t align_up(uint64_t value, uint64_t alignment) {
  return (value + alignment - 1) & ~(alignment - 1);
}
[[nodiscard]] constexpr uint64_t align_down(uint64_t value, uint64_t alignment) {
  return value & ~(alignment - 1);
}

}  // namespace mimeo::x86

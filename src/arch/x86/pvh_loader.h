// Loads an ELF kernel with a PVH entry point (the XEN_ELFNOTE_PHYS32_ENTRY note,
// as Linux, FreeBSD and many unikernels have) and writes hvm_start_info.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "arch/x86/boot_data.h"
#include "arch/x86/elf_image.h"
#include "arch/x86/guest_ram.h"
#include "base/result.h"

namespace mimeo::x86 {

// Linux's COMMAND_LINE_SIZE on x86 is 2048 including the NUL; Linux silently
// truncates longer PVH command lines, so mimeo refuses them.
inline constexpr uint64_t kPvhCmdlineMax = 2047;

struct PvhKernel {
  ElfImage elf;
  uint32_t entry = 0;  // from the note: 32-bit protected-mode entry
};

struct PvhBoot {
  uint64_t entry = 0;           // where the vCPU starts (32-bit, paging off)
  uint64_t start_info_gpa = 0;  // goes in %ebx
  uint64_t kernel_end = 0;      // one past the highest loaded byte
  std::optional<RamRange> initrd;
};

// The entry point from the "Xen" note of type XEN_ELFNOTE_PHYS32_ENTRY (4 bytes,
// or 8 as Linux writes it on x86-64); nullopt when there is no such note.
Result<std::optional<uint32_t>> find_pvh_entry(std::span<const uint8_t> file, const ElfImage& elf);

// Validates the ELF and finds the PVH entry; a valid ELF without the note fails
// with an error saying there is no XEN_ELFNOTE_PHYS32_ENTRY note.
Result<PvhKernel> parse_pvh_elf(std::span<const uint8_t> file);

// Loads the PT_LOAD segments at their physical addresses (zeroing the part past
// the file data), the command line (at most kPvhCmdlineMax bytes), the initrd
// (as the one module, placed high below 4 GiB) and hvm_start_info with the
// memory map, all at the addresses of boot_layout.h.
Result<PvhBoot> load_pvh_elf(std::span<const uint8_t> file, const BootOptions& options,
                             const GuestRam& ram);

}  // namespace mimeo::x86

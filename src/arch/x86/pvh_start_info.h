// The PVH boot ABI (Xen's public arch-x86/hvm/start_info.h): what %ebx points
// to at the PVH entry point, version 1 (with the memory map).
#pragma once

#include <cstdint>

namespace mimeo::x86 {

inline constexpr uint32_t kHvmStartMagic = 0x336ec578;  // "xEn3" with the 0x80 bit of the E set
inline constexpr uint32_t kHvmStartInfoVersion = 1;
// The ELF note whose descriptor is the 32-bit PVH entry point (owner "Xen").
inline constexpr uint32_t kXenElfnotePhys32Entry = 18;

struct HvmStartInfo {
  uint32_t magic;
  uint32_t version;
  uint32_t flags;
  uint32_t nr_modules;
  uint64_t modlist_paddr;
  uint64_t cmdline_paddr;
  uint64_t rsdp_paddr;
  uint64_t memmap_paddr;  // version 1
  uint32_t memmap_entries;
  uint32_t reserved;
};

struct HvmModlistEntry {
  uint64_t paddr;
  uint64_t size;
  uint64_t cmdline_paddr;
  uint64_t reserved;
};

struct HvmMemmapEntry {
  uint64_t addr;
  uint64_t size;
  uint32_t type;  // XEN_HVM_MEMMAP_TYPE_*: 1 RAM, 2 reserved
  uint32_t reserved;
};

static_assert(sizeof(HvmStartInfo) == 56);
static_assert(sizeof(HvmModlistEntry) == 32);
static_assert(sizeof(HvmMemmapEntry) == 24);

}  // namespace mimeo::x86

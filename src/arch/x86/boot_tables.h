// The descriptor and page tables a boot vCPU needs in guest memory, at the
// fixed addresses of boot_layout.h.
#pragma once

#include <cstdint>

#include "arch/x86/guest_ram.h"
#include "base/result.h"

namespace mimeo::x86 {

// Boot GDT selectors. 0x10 and 0x18 are Linux's __BOOT_CS and __BOOT_DS.
inline constexpr uint16_t kBootCode32Selector = 0x08;  // flat 4 GiB, 32-bit code (PVH)
inline constexpr uint16_t kBootCode64Selector = 0x10;  // 64-bit code
inline constexpr uint16_t kBootDataSelector = 0x18;    // flat 4 GiB, read/write data
inline constexpr uint64_t kBootGdtEntries = 4;         // with the null descriptor

// The descriptors as the GDT holds them.
inline constexpr uint64_t kGdtCode32 = 0x00cf9b000000ffff;  // G, D, P, S, exec/read, accessed
inline constexpr uint64_t kGdtCode64 = 0x00af9b000000ffff;  // G, L, P, S, exec/read, accessed
inline constexpr uint64_t kGdtData = 0x00cf93000000ffff;    // G, B, P, S, read/write, accessed

// Writes the boot GDT at kBootGdtAddr.
Status write_boot_gdt(const GuestRam& ram);

// Writes identity page tables for [0, 4 GiB) with 2 MiB pages: PML4 at
// kPml4Addr -> PDPT at kPdptAddr -> four page directories from
// kPageDirectoriesAddr. CR3 = kPml4Addr.
Status write_identity_page_tables(const GuestRam& ram);

}  // namespace mimeo::x86

// Where mimeo puts boot data in low guest memory (docs/boot.md has the map).
// All of it lies in [kBootDataStart, kBootDataEnd), which kernels may not load
// into; guest RAM must cover that area.
#pragma once

#include <cstddef>
#include <cstdint>

namespace mimeo::x86 {

inline constexpr uint64_t kPageSize = 0x1000;

// The boot GDT (kBootGdtEntries descriptors, see vcpu_setup.h).
inline constexpr uint64_t kBootGdtAddr = 0x500;
// PVH: struct hvm_start_info, its one module entry (the initrd) and the memory map.
inline constexpr uint64_t kPvhStartInfoAddr = 0x6000;
inline constexpr uint64_t kPvhModlistAddr = 0x6040;
inline constexpr uint64_t kPvhMemmapAddr = 0x6080;  // up to kMaxMemoryMapEntries * 24 bytes
// Linux: struct boot_params, the "zero page".
inline constexpr uint64_t kZeroPageAddr = 0x7000;
// The initial stack pointer (a 4 KiB stack below the page tables); no boot
// protocol asks for one, but a small guest may rely on it.
inline constexpr uint64_t kBootStackPointer = 0x8ff0;
// Identity page tables for 64-bit entry: PML4, one PDPT and four page
// directories of 2 MiB pages mapping [0, 4 GiB).
inline constexpr uint64_t kPml4Addr = 0x9000;
inline constexpr uint64_t kPdptAddr = 0xa000;
inline constexpr uint64_t kPageDirectoriesAddr = 0xb000;  // 0xb000-0xefff
inline constexpr uint64_t kIdentityMappedEnd = 4ULL << 30;
// The kernel command line (NUL-terminated).
inline constexpr uint64_t kCmdlineAddr = 0x20000;
inline constexpr uint64_t kCmdlineAreaSize = 0x10000;

inline constexpr uint64_t kBootDataStart = kBootGdtAddr;
inline constexpr uint64_t kBootDataEnd = kCmdlineAddr + kCmdlineAreaSize;  // 0x30000

// The legacy hole every PC has: EBDA, VGA memory and BIOS ROM. Reported as
// reserved, and never used for kernels or the initrd.
inline constexpr uint64_t kLegacyHoleStart = 0x9fc00;
inline constexpr uint64_t kLegacyHoleEnd = 0x100000;

// Memory map entries mimeo writes at most (the size of boot_params.e820_table).
inline constexpr size_t kMaxMemoryMapEntries = 128;

}  // namespace mimeo::x86

/*
 * What the loader told the guest: the memory map and the kernel command
 * line, copied out of struct hvm_start_info (PVH) or struct boot_params
 * (Linux boot protocol) into guest-owned memory.
 */
#ifndef MIMEO_GUEST_BOOT_INFO_H
#define MIMEO_GUEST_BOOT_INFO_H

#include <stdint.h>

#define MEMMAP_MAX 128 /* E820_MAX_ENTRIES_ZEROPAGE */
#define MEMMAP_TYPE_RAM 1
#define CMDLINE_MAX 1023

struct memmap_entry {
  uint64_t addr;
  uint64_t size;
  uint32_t type;
};

struct boot_info {
  uint32_t memmap_count;
  struct memmap_entry memmap[MEMMAP_MAX];
  char cmdline[CMDLINE_MAX + 1];
  /* Set when the boot information was unusable; printed as a warning at boot. */
  const char* problem;
};

extern struct boot_info g_boot;

/* kind is BOOT_KIND_PVH or BOOT_KIND_LINUX; info the physical address of its structure. */
void boot_info_init(uint32_t kind, uintptr_t info);

#endif

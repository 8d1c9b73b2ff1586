#include "boot_info.h"

#include "boot_abi.h"

#define HVM_START_MAGIC 0x336ec578

/* xen/include/public/arch-x86/hvm/start_info.h */
struct hvm_start_info {
  uint32_t magic;
  uint32_t version;
  uint32_t flags;
  uint32_t nr_modules;
  uint64_t modlist_paddr;
  uint64_t cmdline_paddr;
  uint64_t rsdp_paddr;
  uint64_t memmap_paddr; /* version >= 1 */
  uint32_t memmap_entries;
  uint32_t reserved;
};

struct hvm_memmap_table_entry {
  uint64_t addr;
  uint64_t size;
  uint32_t type;
  uint32_t reserved;
};

/* struct boot_params ("zero page") offsets, arch/x86/include/uapi/asm/bootparam.h */
#define BP_EXT_CMD_LINE_PTR 0x0c8
#define BP_E820_ENTRIES 0x1e8
#define BP_CMD_LINE_PTR 0x228
#define BP_E820_TABLE 0x2d0
#define E820_ENTRY_SIZE 20 /* packed {u64 addr, u64 size, u32 type} */

/* Explicitly initialized: with -fno-zero-initialized-in-bss it lives in the image, not in
 * .bss, which the entry code would have to clear with emulated stores. */
struct boot_info g_boot = {0};

static uint32_t load_u32(uintptr_t addr) {
  uint32_t v;
  __builtin_memcpy(&v, (const void*)addr, sizeof(v));
  return v;
}

static uint64_t load_u64(uintptr_t addr) {
  uint64_t v;
  __builtin_memcpy(&v, (const void*)addr, sizeof(v));
  return v;
}

static void copy_cmdline(uint64_t paddr) {
  uint32_t n = 0;
  if (paddr != 0) {
    const char* src = (const char*)(uintptr_t)paddr;
    for (; n < CMDLINE_MAX && src[n] != '\0'; ++n) g_boot.cmdline[n] = src[n];
  }
  g_boot.cmdline[n] = '\0';
}

static void add_memmap_entry(uint64_t addr, uint64_t size, uint32_t type) {
  if (g_boot.memmap_count == MEMMAP_MAX) return;
  struct memmap_entry* e = &g_boot.memmap[g_boot.memmap_count++];
  e->addr = addr;
  e->size = size;
  e->type = type;
}

static void init_from_pvh(const struct hvm_start_info* info) {
  if (info->magic != HVM_START_MAGIC) {
    g_boot.problem = "hvm_start_info has a bad magic; no memory map or command line";
    return;
  }
  copy_cmdline(info->cmdline_paddr);
  if (info->version < 1 || info->memmap_paddr == 0) {
    g_boot.problem = "hvm_start_info carries no memory map (version 0)";
    return;
  }
  const struct hvm_memmap_table_entry* table =
      (const struct hvm_memmap_table_entry*)(uintptr_t)info->memmap_paddr;
  for (uint32_t i = 0; i < info->memmap_entries; ++i)
    add_memmap_entry(table[i].addr, table[i].size, table[i].type);
}

static void init_from_boot_params(uintptr_t bp) {
  uint64_t cmdline = load_u32(bp + BP_CMD_LINE_PTR) | (uint64_t)load_u32(bp + BP_EXT_CMD_LINE_PTR)
                                                          << 32;
  copy_cmdline(cmdline);
  uint32_t entries = *(const uint8_t*)(bp + BP_E820_ENTRIES);
  for (uint32_t i = 0; i < entries; ++i) {
    uintptr_t e = bp + BP_E820_TABLE + i * E820_ENTRY_SIZE;
    add_memmap_entry(load_u64(e), load_u64(e + 8), load_u32(e + 16));
  }
}

void boot_info_init(uint32_t kind, uintptr_t info) {
  if (kind == BOOT_KIND_PVH)
    init_from_pvh((const struct hvm_start_info*)info);
  else
    init_from_boot_params(info);
}

#include "ram.h"

#include "boot_info.h"

/* The end of the RAM entry that contains addr, or addr itself if none does. */
static uint64_t ram_run_end(uint64_t addr) {
  for (uint32_t i = 0; i < g_boot.memmap_count; ++i) {
    const struct memmap_entry* e = &g_boot.memmap[i];
    uint64_t end = e->addr + e->size;
    if (end < e->addr) end = UINT64_MAX;
    if (e->type == MEMMAP_TYPE_RAM && e->addr <= addr && addr < end) return end;
  }
  return addr;
}

bool ram_contains(uint64_t addr, uint64_t len) {
  uint64_t end = addr + len;
  if (end < addr || end > IDENTITY_MAP_END) return false;
  uint64_t covered = addr;
  while (covered < end) {
    uint64_t next = ram_run_end(covered);
    if (next == covered) return false;
    covered = next;
  }
  return true;
}

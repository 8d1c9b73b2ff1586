/* Guest RAM as described by the boot memory map, and bulk operations on it. */
#ifndef MIMEO_GUEST_RAM_H
#define MIMEO_GUEST_RAM_H

#include <stdbool.h>
#include <stdint.h>

/* The boot page tables identity-map guest-physical [0, 4 GiB). */
#define IDENTITY_MAP_END (4ull << 30)

/*
 * True if [addr, addr + len) lies in RAM entries (type 1) of the boot memory
 * map, possibly several adjacent ones, and below IDENTITY_MAP_END.
 */
bool ram_contains(uint64_t addr, uint64_t len);

/* Stores value count times from addr on, with one `rep stosq`. */
static inline void fill_qwords(uint64_t addr, uint64_t value, uint64_t count) {
  void* dst = (void*)(uintptr_t)addr;
  __asm__ volatile("rep stosq" : "+D"(dst), "+c"(count) : "a"(value) : "memory");
}

/*
 * Wrapping 64-bit sum of blocks * 16 qwords from addr on (sum_qwords.S:
 * 16 memory-operand adds per iteration, 19 instructions per 128 bytes).
 */
uint64_t sum_qword_blocks(uint64_t addr, uint64_t blocks);

#endif

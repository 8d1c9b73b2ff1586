/* Port I/O and MMIO accessors. */
#ifndef MIMEO_GUEST_IO_H
#define MIMEO_GUEST_IO_H

#include <stdint.h>

static inline void outb(uint16_t port, uint8_t value) {
  __asm__ volatile("outb %0, %1" : : "a"(value), "Nd"(port));
}

static inline uint8_t inb(uint16_t port) {
  uint8_t value;
  __asm__ volatile("inb %1, %0" : "=a"(value) : "Nd"(port));
  return value;
}

/*
 * Reads count bytes from port into dst with one `rep insb`: a VMM sees one
 * string I/O exit (KVM batches the whole count) instead of one exit per byte.
 */
static inline void insb(uint16_t port, void* dst, uint32_t count) {
  __asm__ volatile("rep insb" : "+D"(dst), "+c"(count) : "d"(port) : "memory");
}

/*
 * Writes count bytes from src to port with one `rep outsb`: one string I/O
 * exit for the whole count, as for insb.
 */
static inline void outsb(uint16_t port, const void* src, uint32_t count) {
  __asm__ volatile("rep outsb" : "+S"(src), "+c"(count) : "d"(port) : "memory");
}

static inline uint32_t mmio_read32(uintptr_t addr) { return *(volatile uint32_t*)addr; }

static inline void mmio_write32(uintptr_t addr, uint32_t value) {
  *(volatile uint32_t*)addr = value;
}

/* Stops the CPU for good (interrupts off). */
static inline __attribute__((noreturn)) void halt_forever(void) {
  for (;;) __asm__ volatile("cli; hlt" ::: "memory");
}

#endif

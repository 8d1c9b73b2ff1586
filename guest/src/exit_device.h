/*
 * The exit device: QEMU's isa-debug-exit at I/O port 0xf4 (iosize 1). Writing
 * code makes the VMM exit with status (code << 1) | 1; mimeo does the same.
 */
#ifndef MIMEO_GUEST_EXIT_DEVICE_H
#define MIMEO_GUEST_EXIT_DEVICE_H

#include <stdint.h>

#include "io.h"

#define EXIT_DEVICE_PORT 0xf4

/* Writes code to the exit device; if no VMM stops us, halts for good. */
static inline __attribute__((noreturn)) void exit_device_stop(uint8_t code) {
  outb(EXIT_DEVICE_PORT, code);
  halt_forever();
}

#endif

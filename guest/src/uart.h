/* COM1, an 8250/16550 UART at I/O port 0x3f8 (IRQ 4). */
#ifndef MIMEO_GUEST_UART_H
#define MIMEO_GUEST_UART_H

#include <stdbool.h>
#include <stdint.h>

#include "io.h"

#define UART_IRQ 4
#define COM1 0x3f8
#define UART_DATA (COM1 + 0) /* RBR / THR, divisor low with DLAB */
#define UART_LSR (COM1 + 5)  /* line status */
#define LSR_DATA_READY 0x01
#define LSR_NO_UART 0xff /* what reads of an unbacked I/O port return */

/* 115200 8N1, FIFOs on (receive trigger at 1 byte), receive-data interrupt on. */
void uart_init(void);
/* The 16550A's transmit FIFO: how many bytes may follow one LSR "THR empty". */
#define UART_TX_FIFO 16
/*
 * Sends count bytes (at most UART_TX_FIFO): waits for LSR "THR empty" (the
 * FIFO is then empty too), then writes them all to THR with one `rep outsb`,
 * as Linux's 8250 driver fills the FIFO on each THR-empty. One LSR read for
 * the whole chunk instead of one per byte (each port access is a VM exit).
 */
void uart_write(const char* bytes, uint32_t count);
/*
 * Reads one received byte into *byte if one is waiting (LSR data ready, and a
 * UART is there at all: an unbacked port reads 0xff). Inline: it runs once
 * per input byte, and every guest instruction is emulated on the development
 * machines (docs/guest.md, "Instruction budget").
 */
static inline bool uart_rx(uint8_t* byte) {
  uint8_t lsr = inb(UART_LSR);
  if (lsr == LSR_NO_UART || !(lsr & LSR_DATA_READY)) return false;
  *byte = inb(UART_DATA);
  return true;
}

#endif

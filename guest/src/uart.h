/* COM1, an 8250/16550 UART at I/O port 0x3f8 (IRQ 4). */
#ifndef MIMEO_GUEST_UART_H
#define MIMEO_GUEST_UART_H

#include <stdbool.h>
#include <stdint.h>

#define UART_IRQ 4

/* 115200 8N1, FIFOs on (receive trigger at 1 byte), receive-data interrupt on. */
void uart_init(void);
/* The 16550A's transmit FIFO: how many bytes may follow one LSR "THR empty". */
#define UART_TX_FIFO 16
/*
 * Sends count bytes (at most UART_TX_FIFO): waits for LSR "THR empty" (the
 * FIFO is then empty too), then writes them all to THR with one `rep outsb`,
 * as Linux's 8250 driver fills the FIFO on each THR-empty. Two VM exits for
 * the whole chunk instead of two per byte.
 */
void uart_write(const char* bytes, uint32_t count);
/* True if a received byte is waiting (LSR data ready). */
bool uart_rx_ready(void);
/* Reads the receive buffer register; call only when uart_rx_ready(). */
uint8_t uart_rx(void);

#endif

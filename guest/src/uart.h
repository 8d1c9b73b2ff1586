/* COM1, an 8250/16550 UART at I/O port 0x3f8 (IRQ 4). */
#ifndef MIMEO_GUEST_UART_H
#define MIMEO_GUEST_UART_H

#include <stdbool.h>
#include <stdint.h>

#define UART_IRQ 4

/* 115200 8N1, FIFOs on (receive trigger at 1 byte), receive-data interrupt on. */
void uart_init(void);
/* Waits for the transmit holding register to be empty, then sends one byte. */
void uart_putc(char c);
/* True if a received byte is waiting (LSR data ready). */
bool uart_rx_ready(void);
/* Reads the receive buffer register; call only when uart_rx_ready(). */
uint8_t uart_rx(void);

#endif

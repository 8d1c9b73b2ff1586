#include "uart.h"

#include "io.h"

#define UART_IER (COM1 + 1) /* interrupt enable, divisor high with DLAB */
#define UART_FCR (COM1 + 2)
#define UART_LCR (COM1 + 3)
#define UART_MCR (COM1 + 4)

#define LCR_8N1 0x03
#define LCR_DLAB 0x80
#define FCR_ENABLE_AND_CLEAR 0x07 /* FIFO on, both cleared, receive trigger 1 byte */
#define MCR_DTR_RTS_OUT2 0x0b     /* OUT2 gates the IRQ line on PC UARTs */
#define IER_RX_DATA 0x01
#define LSR_THR_EMPTY 0x20

void uart_init(void) {
  outb(UART_IER, 0);
  outb(UART_LCR, LCR_DLAB);
  outb(UART_DATA, 1); /* divisor 1: 115200 baud */
  outb(UART_IER, 0);
  outb(UART_LCR, LCR_8N1);
  outb(UART_FCR, FCR_ENABLE_AND_CLEAR);
  outb(UART_MCR, MCR_DTR_RTS_OUT2);
  outb(UART_IER, IER_RX_DATA);
}

void uart_write(const char* bytes, uint32_t count) {
  while (!(inb(UART_LSR) & LSR_THR_EMPTY)) {
  }
  outsb(UART_DATA, bytes, count);
}

#include "print.h"

#include "uart.h"

static const char kHexDigits[] = "0123456789abcdef";

/* Bytes not yet sent: at most one transmit FIFO's worth, sent when full and at eol. */
static char g_pending[UART_TX_FIFO];
static uint32_t g_pending_count;

static void flush(void) {
  if (g_pending_count == 0) return;
  uart_write(g_pending, g_pending_count);
  g_pending_count = 0;
}

void print_char(char c) {
  g_pending[g_pending_count++] = c;
  if (g_pending_count == UART_TX_FIFO) flush();
}

/* Keeps the count in a register: print_str runs for every answer (about 5
   emulated instructions per byte instead of 10 through print_char). */
void print_str(const char* s) {
  uint32_t count = g_pending_count;
  for (; *s; ++s) {
    g_pending[count++] = *s;
    if (count == UART_TX_FIFO) {
      uart_write(g_pending, count);
      count = 0;
    }
  }
  g_pending_count = count;
}

void print_hex64(uint64_t value) {
  print_str("0x");
  for (int shift = 60; shift >= 0; shift -= 4) print_char(kHexDigits[(value >> shift) & 0xf]);
}

void print_hex(uint64_t value) {
  print_str("0x");
  int shift = 60;
  while (shift > 0 && ((value >> shift) & 0xf) == 0) shift -= 4;
  for (; shift >= 0; shift -= 4) print_char(kHexDigits[(value >> shift) & 0xf]);
}

void print_dec(uint64_t value) {
  char digits[20];
  int n = 0;
  do {
    digits[n++] = (char)('0' + value % 10);
    value /= 10;
  } while (value != 0);
  while (n > 0) print_char(digits[--n]);
}

void print_hex_bytes(const uint8_t* bytes, uint32_t count) {
  for (uint32_t i = 0; i < count; ++i) {
    print_char(kHexDigits[bytes[i] >> 4]);
    print_char(kHexDigits[bytes[i] & 0xf]);
  }
}

void print_line(const char* bytes, uint32_t count) {
  if (g_pending_count != 0) {
    for (uint32_t i = 0; i < count; ++i) print_char(bytes[i]);
    flush();
    return;
  }
  for (; count > UART_TX_FIFO; bytes += UART_TX_FIFO, count -= UART_TX_FIFO)
    uart_write(bytes, UART_TX_FIFO);
  uart_write(bytes, count);
}

void print_eol(void) {
  print_char('\n');
  flush();
}

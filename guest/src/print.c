#include "print.h"

#include "uart.h"

static const char kHexDigits[] = "0123456789abcdef";

void print_char(char c) { uart_putc(c); }

void print_str(const char* s) {
  while (*s) uart_putc(*s++);
}

void print_hex64(uint64_t value) {
  print_str("0x");
  for (int shift = 60; shift >= 0; shift -= 4) uart_putc(kHexDigits[(value >> shift) & 0xf]);
}

void print_hex(uint64_t value) {
  print_str("0x");
  int shift = 60;
  while (shift > 0 && ((value >> shift) & 0xf) == 0) shift -= 4;
  for (; shift >= 0; shift -= 4) uart_putc(kHexDigits[(value >> shift) & 0xf]);
}

void print_dec(uint64_t value) {
  char digits[20];
  int n = 0;
  do {
    digits[n++] = (char)('0' + value % 10);
    value /= 10;
  } while (value != 0);
  while (n > 0) uart_putc(digits[--n]);
}

void print_hex_bytes(const uint8_t* bytes, uint32_t count) {
  for (uint32_t i = 0; i < count; ++i) {
    uart_putc(kHexDigits[bytes[i] >> 4]);
    uart_putc(kHexDigits[bytes[i] & 0xf]);
  }
}

void print_eol(void) { uart_putc('\n'); }

/*
 * Console output on COM1, sent a transmit FIFO (16 bytes) at a time: a line
 * reaches the host when it is ended with print_eol() or fills the FIFO.
 */
#ifndef MIMEO_GUEST_PRINT_H
#define MIMEO_GUEST_PRINT_H

#include <stdint.h>

void print_char(char c);
void print_str(const char* s);
/* "0x" and exactly 16 hex digits. */
void print_hex64(uint64_t value);
/* "0x" and the hex digits without leading zeros ("0x0" for zero). */
void print_hex(uint64_t value);
void print_dec(uint64_t value);
/* Two lowercase hex digits per byte, in order, without a prefix. */
void print_hex_bytes(const uint8_t* bytes, uint32_t count);
/*
 * Sends count bytes that end with "\n". When nothing is pending they go to the
 * UART straight from bytes, without a copy through the pending buffer.
 */
void print_line(const char* bytes, uint32_t count);
/* print_line() of a string literal that ends with "\n". */
#define PRINT_LINE_LITERAL(literal) print_line(literal, sizeof(literal) - 1)
/* Ends the current line ("\n"). */
void print_eol(void);

#endif

/* Parsing of console command words. */
#ifndef MIMEO_GUEST_PARSE_H
#define MIMEO_GUEST_PARSE_H

#include <stdbool.h>
#include <stdint.h>

/* Hex with or without "0x", 1 to 16 digits. */
bool parse_hex(const char* s, uint64_t* out);
/* Decimal, or hex when prefixed with "0x". Fails on overflow and on trailing junk. */
bool parse_number(const char* s, uint64_t* out);
/*
 * Splits line (length bytes, line[length] == '\0') in place at spaces, tabs
 * and '\r', and turns other control bytes (NUL and DEL included) into '?'.
 * Stores up to max word pointers and returns the number of words found (which
 * may exceed max).
 */
int split_words(char* line, uint32_t length, char** words, int max);

#endif

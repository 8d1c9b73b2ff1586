#include "parse.h"

static int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

static bool has_hex_prefix(const char* s) { return s[0] == '0' && (s[1] == 'x' || s[1] == 'X'); }

bool parse_hex(const char* s, uint64_t* out) {
  if (has_hex_prefix(s)) s += 2;
  if (*s == '\0') return false;
  uint64_t value = 0;
  for (; *s; ++s) {
    int digit = hex_digit(*s);
    if (digit < 0 || (value >> 60) != 0) return false;
    value = (value << 4) | (uint64_t)digit;
  }
  *out = value;
  return true;
}

bool parse_number(const char* s, uint64_t* out) {
  if (has_hex_prefix(s)) return parse_hex(s, out);
  if (*s == '\0') return false;
  uint64_t value = 0;
  for (; *s; ++s) {
    if (*s < '0' || *s > '9') return false;
    uint64_t digit = (uint64_t)(*s - '0');
    if (value > (UINT64_MAX - digit) / 10) return false;
    value = value * 10 + digit;
  }
  *out = value;
  return true;
}

static bool is_separator(char c) { return c == ' ' || c == '\t' || c == '\r'; }

/*
 * Scans each byte once, with one range check for the common case (a printable
 * byte inside a word); separators and control bytes are the rare branch.
 */
int split_words(char* line, uint32_t length, char** words, int max) {
  char* p = line;
  char* end = line + length; /* *end is '\0' */
  int count = 0;
  for (;;) {
    while (p < end && is_separator(*p)) *p++ = '\0';
    if (p == end) return count;
    if (count < max) words[count] = p;
    ++count;
    for (;;) {
      uint8_t c = (uint8_t)*p;
      if (c > ' ' && c != 0x7f) {
        ++p;
        continue;
      }
      if (p == end || is_separator((char)c)) break;
      *p++ = '?'; /* a control byte: it must not end the word or reach an answer */
    }
  }
}

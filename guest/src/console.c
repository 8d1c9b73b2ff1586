#include "console.h"

#include <stdbool.h>
#include <stddef.h>

#include "commands.h"
#include "print.h"
#include "uart.h"

static char g_line[CONSOLE_LINE_MAX + 1];
static size_t g_length;
static bool g_overflow; /* the current line is too long: drop it up to '\n' */

static void console_feed(uint8_t byte) {
  if (byte == '\r') return;
  if (byte == '\n') {
    if (g_overflow) {
      print_str("error: line longer than 256 bytes");
      print_eol();
    } else {
      g_line[g_length] = '\0';
      command_execute(g_line);
    }
    g_length = 0;
    g_overflow = false;
    return;
  }
  if (g_overflow) return;
  if (g_length == CONSOLE_LINE_MAX) {
    g_overflow = true;
    return;
  }
  /* Control bytes (NUL included) must not cut a line short or reach the answer. */
  g_line[g_length++] = (byte < 0x20 && byte != '\t') || byte == 0x7f ? '?' : (char)byte;
}

void console_poll(void) {
  uint8_t byte;
  while (uart_rx(&byte)) console_feed(byte);
}

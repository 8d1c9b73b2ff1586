#include "console.h"

#include <stdbool.h>
#include <stdint.h>

#include "commands.h"
#include "print.h"
#include "uart.h"

static char g_line[CONSOLE_LINE_MAX + 1];
static uint32_t g_length;
static bool g_overflow; /* the current line is too long: it is dropped at its '\n' */

static void line_end(void) {
  if (g_overflow) {
    print_str("error: line longer than 256 bytes");
    print_eol();
  } else {
    g_line[g_length] = '\0';
    command_execute(g_line, g_length);
  }
  g_length = 0;
  g_overflow = false;
}

/*
 * The loop stores raw bytes and does nothing else per byte: it runs for every
 * input byte, and each guest instruction costs about a microsecond on the
 * development machines (docs/guest.md, "Instruction budget"). '\r' and
 * control bytes are dealt with once per line, by command_execute.
 */
void console_poll(void) {
  uint32_t length = g_length; /* in a register across the loop */
  uint8_t byte;
  while (uart_rx(&byte)) {
    if (byte == '\n') {
      g_length = length;
      line_end();
      length = 0;
    } else if (length < CONSOLE_LINE_MAX) {
      g_line[length++] = (char)byte;
    } else {
      g_overflow = true;
    }
  }
  g_length = length;
}

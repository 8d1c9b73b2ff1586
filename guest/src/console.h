/* Assembles console input into lines and runs them as commands. */
#ifndef MIMEO_GUEST_CONSOLE_H
#define MIMEO_GUEST_CONSOLE_H

#include <stdint.h>

#define CONSOLE_LINE_MAX 256 /* bytes per input line, without the '\n' */

/* Feeds one received byte: '\r' is ignored, '\n' ends a line. */
void console_feed(uint8_t byte);

#endif

/* Assembles console input into lines and runs them as commands. */
#ifndef MIMEO_GUEST_CONSOLE_H
#define MIMEO_GUEST_CONSOLE_H

#include <stdint.h>

#define CONSOLE_LINE_MAX 256 /* bytes per input line, without the '\n' */

/* Reads every byte the UART holds; '\n' ends a line and runs it (command_execute). */
void console_poll(void);

#endif

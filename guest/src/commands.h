/* The console commands; each is answered with exactly one line. */
#ifndef MIMEO_GUEST_COMMANDS_H
#define MIMEO_GUEST_COMMANDS_H

#include <stdint.h>

/*
 * Runs one input line of length bytes (modified in place; line[length] is
 * '\0'). Words are separated by spaces, tabs and '\r'; other control bytes,
 * NUL included, read as '?'. Blank lines get no answer.
 */
void command_execute(char* line, uint32_t length);

#endif

/* The console commands; each is answered with exactly one line. */
#ifndef MIMEO_GUEST_COMMANDS_H
#define MIMEO_GUEST_COMMANDS_H

/* Runs one input line (modified in place). Blank lines get no answer. */
void command_execute(char* line);

#endif

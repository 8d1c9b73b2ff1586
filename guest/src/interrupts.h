/* The IDT: exception reporting, the local APIC timer tick and the UART wake-up. */
#ifndef MIMEO_GUEST_INTERRUPTS_H
#define MIMEO_GUEST_INTERRUPTS_H

#include <stdint.h>

#define VECTOR_TIMER 0x20
#define VECTOR_UART 0x24
#define VECTOR_SPURIOUS 0xff

/* Fills and loads the IDT: vectors 0-31, the timer, the UART and the spurious vector. */
void interrupts_init(void);
/* Number of local APIC timer interrupts handled so far. */
uint64_t timer_ticks(void);
/* Prints "exception N rip=... err=..." and stops the VM through the exit device with code 3. */
__attribute__((noreturn)) void exception_report(uint64_t vector, uint64_t error_code, uint64_t rip);

#endif

/* Interrupt controllers: legacy 8259 PICs, the local APIC (xAPIC) and the IOAPIC. */
#ifndef MIMEO_GUEST_APIC_H
#define MIMEO_GUEST_APIC_H

#include <stdint.h>

#include "io.h"

#define LAPIC_BASE 0xfee00000u
#define LAPIC_EOI 0x0b0

/* Masks every line of both 8259 PICs, so only the IOAPIC delivers ISA IRQs. */
void pic_mask_all(void);
/* Software-enables the local APIC with the given spurious-interrupt vector. */
void lapic_enable(uint8_t spurious_vector);
uint8_t lapic_id(void);
/* Periodic timer: initial_count bus cycles (divided by 16) between interrupts. */
void lapic_start_periodic_timer(uint8_t vector, uint32_t initial_count);
/* Inline so interrupt handlers need not save every caller-saved register for a call. */
static inline void lapic_eoi(void) { mmio_write32(LAPIC_BASE + LAPIC_EOI, 0); }
/* Routes ISA irq (= IOAPIC pin) to vector on APIC dest: fixed, edge, active high, unmasked. */
void ioapic_route_irq(uint8_t irq, uint8_t vector, uint8_t dest_apic_id);

#endif

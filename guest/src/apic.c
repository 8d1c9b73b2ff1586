#include "apic.h"

#include "io.h"

#define PIC1_DATA 0x21
#define PIC2_DATA 0xa1

#define LAPIC_ID 0x020
#define LAPIC_TPR 0x080
#define LAPIC_SVR 0x0f0
#define LAPIC_LVT_TIMER 0x320
#define LAPIC_TIMER_INITIAL 0x380
#define LAPIC_TIMER_DIVIDE 0x3e0
#define SVR_APIC_ENABLE 0x100
#define LVT_TIMER_PERIODIC (1u << 17)
#define TIMER_DIVIDE_BY_16 0x3

#define IOAPIC_BASE 0xfec00000u
#define IOAPIC_REGSEL 0x00
#define IOAPIC_WINDOW 0x10
#define IOAPIC_REDIRECTION(pin) (0x10 + 2 * (pin))

void pic_mask_all(void) {
  outb(PIC1_DATA, 0xff);
  outb(PIC2_DATA, 0xff);
}

static void lapic_write(uint32_t reg, uint32_t value) { mmio_write32(LAPIC_BASE + reg, value); }

void lapic_enable(uint8_t spurious_vector) {
  lapic_write(LAPIC_TPR, 0);
  lapic_write(LAPIC_SVR, SVR_APIC_ENABLE | spurious_vector);
}

uint8_t lapic_id(void) { return (uint8_t)(mmio_read32(LAPIC_BASE + LAPIC_ID) >> 24); }

void lapic_start_periodic_timer(uint8_t vector, uint32_t initial_count) {
  lapic_write(LAPIC_TIMER_DIVIDE, TIMER_DIVIDE_BY_16);
  lapic_write(LAPIC_LVT_TIMER, LVT_TIMER_PERIODIC | vector);
  lapic_write(LAPIC_TIMER_INITIAL, initial_count); /* writing the count starts the timer */
}

static void ioapic_write(uint32_t reg, uint32_t value) {
  mmio_write32(IOAPIC_BASE + IOAPIC_REGSEL, reg);
  mmio_write32(IOAPIC_BASE + IOAPIC_WINDOW, value);
}

void ioapic_route_irq(uint8_t irq, uint8_t vector, uint8_t dest_apic_id) {
  /* High half first, so the entry is never unmasked with a stale destination. */
  ioapic_write(IOAPIC_REDIRECTION(irq) + 1, (uint32_t)dest_apic_id << 24);
  ioapic_write(IOAPIC_REDIRECTION(irq), vector); /* fixed, physical, high, edge, unmasked */
}

#include "interrupts.h"

#include "apic.h"
#include "boot_abi.h"
#include "exit_device.h"
#include "io.h"
#include "print.h"

#define EXCEPTION_EXIT_CODE 3
#define GATE_INTERRUPT_DPL0 0x8e /* present, DPL 0, 64-bit interrupt gate */

struct idt_gate {
  uint16_t offset_low;
  uint16_t selector;
  uint8_t ist;
  uint8_t type_attr;
  uint16_t offset_mid;
  uint32_t offset_high;
  uint32_t reserved;
};

struct idt_register {
  uint16_t limit;
  uint64_t base;
} __attribute__((packed));

struct interrupt_frame;

extern const uint64_t exception_stub_table[32]; /* exception_stubs.S */

static struct idt_gate g_idt[256] = {{0}}; /* in the image, not .bss: see g_boot */
static volatile uint64_t g_ticks;

static void set_gate(uint8_t vector, uint64_t handler) {
  struct idt_gate* gate = &g_idt[vector];
  gate->offset_low = (uint16_t)handler;
  gate->selector = GDT_CODE64;
  gate->ist = 0;
  gate->type_attr = GATE_INTERRUPT_DPL0;
  gate->offset_mid = (uint16_t)(handler >> 16);
  gate->offset_high = (uint32_t)(handler >> 32);
  gate->reserved = 0;
}

__attribute__((interrupt)) static void timer_isr(struct interrupt_frame* frame) {
  (void)frame;
  g_ticks = g_ticks + 1;
  lapic_eoi();
}

/* Only wakes the main loop from hlt; the main loop reads the UART itself. */
__attribute__((interrupt)) static void uart_isr(struct interrupt_frame* frame) {
  (void)frame;
  lapic_eoi();
}

/* Spurious local APIC interrupts must not be acknowledged. */
__attribute__((interrupt)) static void spurious_isr(struct interrupt_frame* frame) { (void)frame; }

void interrupts_init(void) {
  for (int v = 0; v < 32; ++v) set_gate((uint8_t)v, exception_stub_table[v]);
  set_gate(VECTOR_TIMER, (uint64_t)(uintptr_t)timer_isr);
  set_gate(VECTOR_UART, (uint64_t)(uintptr_t)uart_isr);
  set_gate(VECTOR_SPURIOUS, (uint64_t)(uintptr_t)spurious_isr);
  struct idt_register idtr = {sizeof(g_idt) - 1, (uint64_t)(uintptr_t)g_idt};
  __asm__ volatile("lidt %0" : : "m"(idtr));
}

uint64_t timer_ticks(void) { return g_ticks; }

void exception_report(uint64_t vector, uint64_t error_code, uint64_t rip) {
  print_str("exception ");
  print_dec(vector);
  print_str(" rip=");
  print_hex64(rip);
  print_str(" err=");
  print_hex64(error_code);
  print_eol();
  exit_device_stop(EXCEPTION_EXIT_CODE);
}

/*
 * mimeo's test guest: boots through PVH or the Linux 64-bit boot protocol,
 * then answers line commands on COM1 (see docs/guest.md).
 */
#include <stdint.h>

#include "apic.h"
#include "boot_info.h"
#include "console.h"
#include "interrupts.h"
#include "print.h"
#include "uart.h"

/* 10 ms at the 1 GHz APIC bus that KVM and QEMU emulate, divided by 16. */
#define TIMER_INITIAL_COUNT 625000

__attribute__((noreturn)) void guest_main(uint32_t boot_kind, uintptr_t boot_info);

void guest_main(uint32_t boot_kind, uintptr_t boot_info) {
  uart_init();
  interrupts_init();
  boot_info_init(boot_kind, boot_info);
  pic_mask_all();
  lapic_enable(VECTOR_SPURIOUS);
  ioapic_route_irq(UART_IRQ, VECTOR_UART, lapic_id());
  lapic_start_periodic_timer(VECTOR_TIMER, TIMER_INITIAL_COUNT);
  if (g_boot.problem) {
    print_str("warning: ");
    print_str(g_boot.problem);
    print_eol();
  }
  print_str("mimeo-guest ready");
  print_eol();

  /*
   * Interrupts are enabled only inside `sti; hlt` (sti's one-instruction
   * shadow makes the pair atomic), so commands run with interrupts off. Any
   * wake-up, the UART's IRQ or the timer tick, drains the UART: input is read
   * even if the IRQ route does not work.
   */
  for (;;) {
    console_poll();
    __asm__ volatile("sti; hlt; cli" ::: "memory");
  }
}

#include "arch/x86/vm_state.h"

#include <time.h>

#include <cstdint>

namespace mimeo::x86 {

namespace {

Result<kvm_irqchip> get_chip(const kvm::VmFd& vm, uint32_t id) { return vm.get_irqchip(id); }

uint64_t realtime_ns() {
  timespec now{};
  clock_gettime(CLOCK_REALTIME, &now);
  return static_cast<uint64_t>(now.tv_sec) * 1'000'000'000ULL + static_cast<uint64_t>(now.tv_nsec);
}

}  // namespace

Result<VmState> save_vm(const kvm::VmFd& vm) {
  VmState state;
  MIMEO_ASSIGN_OR_RETURN(state.pic_master, get_chip(vm, KVM_IRQCHIP_PIC_MASTER));
  MIMEO_ASSIGN_OR_RETURN(state.pic_slave, get_chip(vm, KVM_IRQCHIP_PIC_SLAVE));
  MIMEO_ASSIGN_OR_RETURN(state.ioapic, get_chip(vm, KVM_IRQCHIP_IOAPIC));
  MIMEO_ASSIGN_OR_RETURN(state.clock, vm.get_clock());
  return state;
}

Status restore_vm(kvm::VmFd& vm, const VmState& state) {
  MIMEO_TRY(vm.set_irqchip(state.pic_master));
  MIMEO_TRY(vm.set_irqchip(state.pic_slave));
  MIMEO_TRY(vm.set_irqchip(state.ioapic));
  kvm_clock_data clock{};
  clock.clock = state.clock.clock;
  if ((state.clock.flags & KVM_CLOCK_REALTIME) != 0) {
    clock.flags = KVM_CLOCK_REALTIME;
    clock.realtime = state.clock.realtime;
    if (vm.set_clock(clock).ok()) {
      return {};
    }
    // An older KVM without KVM_CLOCK_REALTIME in SET_CLOCK: advance by hand.
    const uint64_t now = realtime_ns();
    clock.flags = 0;
    clock.realtime = 0;
    if (now > state.clock.realtime) {
      clock.clock += now - state.clock.realtime;
    }
  }
  return vm.set_clock(clock);
}

}  // namespace mimeo::x86

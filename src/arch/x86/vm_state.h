// The VM-wide state KVM holds for an x86 VM with the in-kernel irqchip: the
// kvmclock and the PIC/IOAPIC registers (each LAPIC belongs to its vCPU).
#pragma once

#include <linux/kvm.h>

#include "base/result.h"
#include "kvm/vm_fd.h"

namespace mimeo::x86 {

struct VmState {
  kvm_clock_data clock{};
  kvm_irqchip pic_master{};
  kvm_irqchip pic_slave{};
  kvm_irqchip ioapic{};
};

[[nodiscard]] Result<VmState> save_vm(const kvm::VmFd& vm);

// Writes the irqchip state back and sets the kvmclock. Clock policy (see
// docs/templating.md): when the saved clock carries the host's CLOCK_REALTIME
// (KVM_CLOCK_REALTIME), KVM advances the guest clock by the real time elapsed
// since the save, so the guest's monotonic clock never goes backwards and a
// wall clock derived from it (boot time + kvmclock) matches the host's again.
// Call after the vCPUs are restored and just before the VM runs.
[[nodiscard]] Status restore_vm(kvm::VmFd& vm, const VmState& state);

}  // namespace mimeo::x86

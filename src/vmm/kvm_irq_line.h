// An interrupt line of the in-kernel IOAPIC/PIC, driven with KVM_IRQ_LINE.
#pragma once

#include <cstdint>

#include "devices/irq_line.h"
#include "kvm/vm_fd.h"

namespace mimeo::vmm {

class KvmIrqLine final : public devices::IrqLine {
 public:
  KvmIrqLine(kvm::VmFd& vm, uint32_t gsi) : vm_(vm), gsi_(gsi) {}
  // Errors here mean the VM is being torn down; the device cannot act on them.
  void set_level(bool asserted) override { (void)vm_.irq_line(gsi_, asserted); }

 private:
  kvm::VmFd& vm_;
  uint32_t gsi_;
};

}  // namespace mimeo::vmm

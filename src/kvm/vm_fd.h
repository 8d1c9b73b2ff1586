// A KVM virtual machine fd: memory slots, in-kernel irqchip, clock and vCPU creation.
#pragma once

#include <linux/kvm.h>

#include <cstddef>
#include <cstdint>

#include "base/result.h"
#include "base/unique_fd.h"
#include "kvm/memory_slot.h"
#include "kvm/vcpu_fd.h"

namespace mimeo::kvm {

class VmFd {
 public:
  explicit VmFd(UniqueFd fd) : fd_(std::move(fd)) {}
  VmFd(VmFd&&) noexcept = default;
  VmFd& operator=(VmFd&&) noexcept = default;
  VmFd(const VmFd&) = delete;
  VmFd& operator=(const VmFd&) = delete;
  ~VmFd() = default;

  // KVM_SET_USER_MEMORY_REGION: maps [gpa, gpa + size) of the guest to `host`
  // (KVM_MEM_READONLY when `readonly`: guest writes then exit as KVM_EXIT_MMIO).
  // The returned MemorySlot removes the slot when destroyed; whoever owns the
  // mapping at `host` must keep it alive at least as long.
  //
  // Add the slots BEFORE create_irqchip(): on a nested host this call costs
  // 0.2-0.5 ms before KVM_CREATE_IRQCHIP but about 7 ms after it (measured,
  // see /work/shared/notes/kvm-here.md).
  Result<MemorySlot> add_memory_slot(uint32_t slot, uint64_t gpa, uint64_t size, void* host,
                                     bool readonly);
  // KVM_CREATE_IRQCHIP: in-kernel PIC, IOAPIC and local APICs. Call before
  // creating vCPUs. mimeo creates no PIT (KVM_CREATE_PIT2 makes closing a VM
  // cost 10-15 ms here).
  Status create_irqchip();
  // KVM_SET_TSS_ADDR: three pages of guest-physical space KVM needs on Intel.
  Status set_tss_addr(uint64_t gpa);
  // KVM_SET_IDENTITY_MAP_ADDR: one page KVM needs on Intel without unrestricted guest.
  Status set_identity_map_addr(uint64_t gpa);
  // KVM_IRQ_LINE: raises or lowers an interrupt line of the in-kernel irqchip.
  Status irq_line(uint32_t gsi, bool level);
  // KVM_ENABLE_CAP on the VM.
  Status enable_cap(const kvm_enable_cap& cap);
  // KVM_CHECK_EXTENSION on the VM (answers for this VM's type).
  [[nodiscard]] Result<int> check_extension(long cap) const;
  // KVM_GET_CLOCK / KVM_SET_CLOCK: the kvmclock base.
  Result<kvm_clock_data> get_clock() const;
  Status set_clock(const kvm_clock_data& clock);
  // KVM_GET_IRQCHIP / KVM_SET_IRQCHIP: KVM_IRQCHIP_PIC_MASTER, _PIC_SLAVE or _IOAPIC.
  Result<kvm_irqchip> get_irqchip(uint32_t chip_id) const;
  Status set_irqchip(const kvm_irqchip& chip);
  // KVM_CREATE_VCPU and the mmap of its kvm_run (mmap_size from Kvm::vcpu_mmap_size()).
  Result<VcpuFd> create_vcpu(uint32_t id, size_t mmap_size);

  [[nodiscard]] int fd() const { return fd_.get(); }

 private:
  UniqueFd fd_;
};

}  // namespace mimeo::kvm

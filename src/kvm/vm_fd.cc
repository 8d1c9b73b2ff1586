#include "kvm/vm_fd.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/mman.h>

#include "base/mapping.h"
#include "kvm/ioctl.h"

namespace mimeo::kvm {

Result<MemorySlot> VmFd::add_memory_slot(uint32_t slot, uint64_t gpa, uint64_t size, void* host,
                                         bool readonly) {
  kvm_userspace_memory_region region{};
  region.slot = slot;
  region.flags = readonly ? KVM_MEM_READONLY : 0;
  region.guest_phys_addr = gpa;
  region.memory_size = size;
  region.userspace_addr = reinterpret_cast<uint64_t>(host);
  // Duplicate first so that a failure leaves no slot without an owner.
  UniqueFd dup(::fcntl(fd_.get(), F_DUPFD_CLOEXEC, 0));
  if (!dup) {
    return errno_error("dup VM fd for memory slot " + std::to_string(slot));
  }
  MIMEO_TRY(checked_ioctl(fd_.get(), KVM_SET_USER_MEMORY_REGION, &region,
                          fmt::format("KVM_SET_USER_MEMORY_REGION slot {} gpa {:#x} size {:#x}{}",
                                      slot, gpa, size, readonly ? " readonly" : "")));
  return MemorySlot(std::move(dup), slot, gpa, size, host, readonly);
}

Status VmFd::create_irqchip() {
  MIMEO_TRY(checked_ioctl_value(fd_.get(), KVM_CREATE_IRQCHIP, 0, "KVM_CREATE_IRQCHIP"));
  return {};
}

Status VmFd::set_tss_addr(uint64_t gpa) {
  MIMEO_TRY(checked_ioctl_value(fd_.get(), KVM_SET_TSS_ADDR, gpa,
                                fmt::format("KVM_SET_TSS_ADDR {:#x}", gpa)));
  return {};
}

Status VmFd::set_identity_map_addr(uint64_t gpa) {
  MIMEO_TRY(checked_ioctl(fd_.get(), KVM_SET_IDENTITY_MAP_ADDR, &gpa,
                          fmt::format("KVM_SET_IDENTITY_MAP_ADDR {:#x}", gpa)));
  return {};
}

Status VmFd::irq_line(uint32_t gsi, bool level) {
  kvm_irq_level irq{};
  irq.irq = gsi;
  irq.level = level ? 1 : 0;
  MIMEO_TRY(checked_ioctl(fd_.get(), KVM_IRQ_LINE, &irq, fmt::format("KVM_IRQ_LINE gsi {}", gsi)));
  return {};
}

Status VmFd::enable_cap(const kvm_enable_cap& cap) {
  kvm_enable_cap copy = cap;
  MIMEO_TRY(
      checked_ioctl(fd_.get(), KVM_ENABLE_CAP, &copy, fmt::format("KVM_ENABLE_CAP {}", cap.cap)));
  return {};
}

Result<int> VmFd::check_extension(long cap) const {
  return checked_ioctl_value(fd_.get(), KVM_CHECK_EXTENSION, static_cast<unsigned long>(cap),
                             "KVM_CHECK_EXTENSION (VM)");
}

Result<kvm_clock_data> VmFd::get_clock() const {
  kvm_clock_data clock{};
  MIMEO_TRY(checked_ioctl(fd_.get(), KVM_GET_CLOCK, &clock, "KVM_GET_CLOCK"));
  return clock;
}

Status VmFd::set_clock(const kvm_clock_data& clock) {
  kvm_clock_data copy = clock;
  MIMEO_TRY(checked_ioctl(fd_.get(), KVM_SET_CLOCK, &copy, "KVM_SET_CLOCK"));
  return {};
}

Result<kvm_irqchip> VmFd::get_irqchip(uint32_t chip_id) const {
  kvm_irqchip chip{};
  chip.chip_id = chip_id;
  MIMEO_TRY(
      checked_ioctl(fd_.get(), KVM_GET_IRQCHIP, &chip, fmt::format("KVM_GET_IRQCHIP {}", chip_id)));
  return chip;
}

Status VmFd::set_irqchip(const kvm_irqchip& chip) {
  kvm_irqchip copy = chip;
  MIMEO_TRY(checked_ioctl(fd_.get(), KVM_SET_IRQCHIP, &copy,
                          fmt::format("KVM_SET_IRQCHIP {}", chip.chip_id)));
  return {};
}

Result<VcpuFd> VmFd::create_vcpu(uint32_t id, size_t mmap_size) {
  MIMEO_ASSIGN_OR_RETURN(int fd, checked_ioctl_value(fd_.get(), KVM_CREATE_VCPU, id,
                                                     fmt::format("KVM_CREATE_VCPU {}", id)));
  UniqueFd vcpu(fd);
  MIMEO_ASSIGN_OR_RETURN(Mapping run,
                         Mapping::map(mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu.get(), 0,
                                      fmt::format("kvm_run of vCPU {}", id)));
  return VcpuFd(std::move(vcpu), std::move(run), id);
}

}  // namespace mimeo::kvm

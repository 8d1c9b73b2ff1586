#include "kvm/memory_slot.h"

#include <linux/kvm.h>

#include <string>
#include <utility>

#include "kvm/ioctl.h"

namespace mimeo::kvm {

MemorySlot::~MemorySlot() { (void)remove(); }

MemorySlot::MemorySlot(MemorySlot&& other) noexcept
    : vm_(std::move(other.vm_)),
      slot_(other.slot_),
      gpa_(other.gpa_),
      size_(other.size_),
      host_(std::exchange(other.host_, nullptr)),
      readonly_(other.readonly_) {}

MemorySlot& MemorySlot::operator=(MemorySlot&& other) noexcept {
  if (this != &other) {
    (void)remove();
    vm_ = std::move(other.vm_);
    slot_ = other.slot_;
    gpa_ = other.gpa_;
    size_ = other.size_;
    host_ = std::exchange(other.host_, nullptr);
    readonly_ = other.readonly_;
  }
  return *this;
}

Status MemorySlot::remove() {
  if (!vm_) {
    return {};
  }
  kvm_userspace_memory_region region{};
  region.slot = slot_;
  region.guest_phys_addr = gpa_;
  region.memory_size = 0;
  region.userspace_addr = reinterpret_cast<uint64_t>(host_);
  auto result =
      checked_ioctl(vm_.get(), KVM_SET_USER_MEMORY_REGION, &region,
                    "KVM_SET_USER_MEMORY_REGION (remove slot " + std::to_string(slot_) + ")");
  vm_.reset();
  host_ = nullptr;
  if (!result.ok()) {
    return result.error();
  }
  return {};
}

void MemorySlot::release() {
  vm_.reset();
  host_ = nullptr;
}

}  // namespace mimeo::kvm

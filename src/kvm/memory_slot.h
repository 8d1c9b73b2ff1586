// One KVM memory slot (KVM_SET_USER_MEMORY_REGION), removed again when destroyed.
#pragma once

#include <cstdint>

#include "base/result.h"
#include "base/unique_fd.h"

namespace mimeo::kvm {

class MemorySlot {
 public:
  MemorySlot() = default;
  // Takes a duplicate of the VM fd, so removal on destruction reaches the right
  // VM whatever happens to the VmFd; the VM lives until the last slot is gone.
  MemorySlot(UniqueFd vm, uint32_t slot, uint64_t gpa, uint64_t size, void* host, bool readonly)
      : vm_(std::move(vm)), slot_(slot), gpa_(gpa), size_(size), host_(host), readonly_(readonly) {}
  // Removes the slot (KVM_SET_USER_MEMORY_REGION with memory_size 0).
  ~MemorySlot();
  MemorySlot(MemorySlot&& other) noexcept;
  MemorySlot& operator=(MemorySlot&& other) noexcept;
  MemorySlot(const MemorySlot&) = delete;
  MemorySlot& operator=(const MemorySlot&) = delete;

  // Removes the slot now; the object is empty afterwards.
  Status remove();
  // Forgets the slot without removing it: it then lasts until the VM is closed.
  // For tear-down, where closing the VM frees every slot at once and removing
  // them one by one would cost up to ~7 ms each on a nested host.
  void release();

  [[nodiscard]] bool valid() const { return vm_.valid(); }
  [[nodiscard]] uint32_t slot() const { return slot_; }
  [[nodiscard]] uint64_t gpa() const { return gpa_; }
  [[nodiscard]] uint64_t size() const { return size_; }
  [[nodiscard]] void* host() const { return host_; }
  [[nodiscard]] bool readonly() const { return readonly_; }

 private:
  UniqueFd vm_;
  uint32_t slot_ = 0;
  uint64_t gpa_ = 0;
  uint64_t size_ = 0;
  void* host_ = nullptr;
  bool readonly_ = false;
};

}  // namespace mimeo::kvm

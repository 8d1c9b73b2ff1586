// The /dev/kvm system fd: capabilities, supported CPUID and MSRs, and VM creation.
#pragma once

#include <linux/kvm.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "base/result.h"
#include "base/unique_fd.h"
#include "kvm/vm_fd.h"

namespace mimeo::kvm {

class Kvm {
 public:
  // Opens `path` (O_RDWR | O_CLOEXEC) and checks KVM_GET_API_VERSION == 12. A
  // missing or inaccessible device gives one error saying so.
  static Result<Kvm> open(const std::string& path = "/dev/kvm");

  Kvm(Kvm&&) noexcept = default;
  Kvm& operator=(Kvm&&) noexcept = default;
  Kvm(const Kvm&) = delete;
  Kvm& operator=(const Kvm&) = delete;
  ~Kvm() = default;

  // KVM_CHECK_EXTENSION: 0 when the capability is absent, else its value.
  [[nodiscard]] Result<int> check_extension(long cap) const;
  // KVM_GET_SUPPORTED_CPUID: every leaf and subleaf KVM can offer a guest.
  [[nodiscard]] Result<std::vector<kvm_cpuid_entry2>> supported_cpuid() const;
  // KVM_GET_MSR_INDEX_LIST: the MSRs that KVM_GET_MSRS/KVM_SET_MSRS save and restore.
  [[nodiscard]] Result<std::vector<uint32_t>> msr_index_list() const;
  // KVM_GET_VCPU_MMAP_SIZE: the size of each vCPU's kvm_run mapping.
  [[nodiscard]] Result<size_t> vcpu_mmap_size() const;
  // KVM_CREATE_VM (default machine type).
  [[nodiscard]] Result<VmFd> create_vm() const;

  [[nodiscard]] int fd() const { return fd_.get(); }

 private:
  explicit Kvm(UniqueFd fd) : fd_(std::move(fd)) {}
  UniqueFd fd_;
};

}  // namespace mimeo::kvm

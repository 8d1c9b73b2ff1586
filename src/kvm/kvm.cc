#include "kvm/kvm.h"

#include <fcntl.h>
#include <sys/ioctl.h>

#include <cerrno>
#include <cstring>

#include "kvm/ioctl.h"
#include "kvm/kvm_abi.h"

namespace mimeo::kvm {

namespace {

constexpr int kExpectedApiVersion = 12;

Error open_error(const std::string& path, int err) {
  if (err == ENOENT || err == ENXIO || err == ENODEV) {
    return errno_error(path +
                           " does not exist: KVM is not available on this host (load kvm_intel or "
                           "kvm_amd, or enable nested virtualization)",
                       err);
  }
  if (err == EACCES || err == EPERM) {
    return errno_error(path +
                           " is not accessible: mimeo needs read/write access to it (usually "
                           "membership of the kvm group)",
                       err);
  }
  return errno_error("open " + path, err);
}

}  // namespace

Result<Kvm> Kvm::open(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDWR | O_CLOEXEC));
  if (!fd) {
    return open_error(path, errno);
  }
  auto version_result =
      checked_ioctl_value(fd.get(), KVM_GET_API_VERSION, 0, "KVM_GET_API_VERSION");
  if (!version_result.ok()) {
    return version_result.error().context(path);
  }
  const int version = *version_result;
  if (version != kExpectedApiVersion) {
    return make_error(path + ": KVM API version " + std::to_string(version) + ", mimeo needs " +
                      std::to_string(kExpectedApiVersion));
  }
  return Kvm(std::move(fd));
}

Result<int> Kvm::check_extension(long cap) const {
  return checked_ioctl_value(fd_.get(), KVM_CHECK_EXTENSION, static_cast<unsigned long>(cap),
                             "KVM_CHECK_EXTENSION");
}

Result<std::vector<kvm_cpuid_entry2>> Kvm::supported_cpuid() const {
  // KVM answers E2BIG while the buffer is too small and does not say how big it
  // must be, so grow it. Start at KVM_MAX_CPUID_ENTRIES (256): each call costs
  // ~0.3 ms on nested hosts, and today's KVM offers more than 64 entries.
  for (uint32_t nent = 256; nent <= 4096; nent *= 2) {
    std::vector<uint64_t> buffer(
        (sizeof(abi::Cpuid2Header) + nent * sizeof(kvm_cpuid_entry2)) / sizeof(uint64_t) + 1);
    auto* header = reinterpret_cast<abi::Cpuid2Header*>(buffer.data());
    header->nent = nent;
    if (::ioctl(fd_.get(), abi::kGetSupportedCpuid, header) < 0) {
      if (errno == E2BIG) {
        continue;
      }
      return errno_error("KVM_GET_SUPPORTED_CPUID");
    }
    const auto* entries = reinterpret_cast<const kvm_cpuid_entry2*>(header + 1);
    return std::vector<kvm_cpuid_entry2>(entries, entries + header->nent);
  }
  return errno_error("KVM_GET_SUPPORTED_CPUID", E2BIG);
}

Result<std::vector<uint32_t>> Kvm::msr_index_list() const {
  // A first call with nmsrs = 0 fails with E2BIG and sets nmsrs to the count.
  abi::MsrListHeader probe{0};
  if (::ioctl(fd_.get(), abi::kGetMsrIndexList, &probe) < 0 && errno != E2BIG) {
    return errno_error("KVM_GET_MSR_INDEX_LIST");
  }
  for (int attempt = 0; attempt < 4; ++attempt) {
    uint32_t count = probe.nmsrs;
    std::vector<uint32_t> buffer(1 + count);
    buffer[0] = count;
    if (::ioctl(fd_.get(), abi::kGetMsrIndexList, buffer.data()) < 0) {
      if (errno == E2BIG) {
        probe.nmsrs = buffer[0];  // The list grew; retry with the new count.
        continue;
      }
      return errno_error("KVM_GET_MSR_INDEX_LIST");
    }
    return std::vector<uint32_t>(buffer.begin() + 1, buffer.begin() + 1 + buffer[0]);
  }
  return errno_error("KVM_GET_MSR_INDEX_LIST", E2BIG);
}

Result<size_t> Kvm::vcpu_mmap_size() const {
  MIMEO_ASSIGN_OR_RETURN(int size, checked_ioctl_value(fd_.get(), KVM_GET_VCPU_MMAP_SIZE, 0,
                                                       "KVM_GET_VCPU_MMAP_SIZE"));
  return static_cast<size_t>(size);
}

Result<VmFd> Kvm::create_vm() const {
  MIMEO_ASSIGN_OR_RETURN(int vm, checked_ioctl_value(fd_.get(), KVM_CREATE_VM, 0, "KVM_CREATE_VM"));
  return VmFd(UniqueFd(vm));
}

}  // namespace mimeo::kvm

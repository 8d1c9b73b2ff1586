#include "kvm/vcpu_fd.h"

#include <fmt/format.h>
#include <sys/ioctl.h>

#include <atomic>
#include <cerrno>
#include <cstring>

#include "kvm/ioctl.h"

namespace mimeo::kvm {

Result<int> VcpuFd::ioctl(unsigned long request, void* arg, const char* name) const {
  return checked_ioctl(fd_.get(), request, arg, fmt::format("{} (vCPU {})", name, id_));
}

Status VcpuFd::run() {
  if (::ioctl(fd_.get(), KVM_RUN, 0) < 0) {
    int err = errno;
    if (err == EINTR || err == EAGAIN) {
      return errno_error(fmt::format("KVM_RUN (vCPU {}) interrupted", id_), EINTR);
    }
    return errno_error(fmt::format("KVM_RUN (vCPU {})", id_), err);
  }
  return {};
}

void VcpuFd::set_immediate_exit(bool value) {
  // Written by the vCPU thread and by threads that kick it: an atomic store.
  if (kvm_run* run = run_struct()) {
    std::atomic_ref<uint8_t>(run->immediate_exit).store(value ? 1 : 0, std::memory_order_release);
  }
}

#define MIMEO_VCPU_GET(Type, name, REQUEST)      \
  Result<Type> VcpuFd::get_##name() const {      \
    Type value{};                                \
    MIMEO_TRY(ioctl(REQUEST, &value, #REQUEST)); \
    return value;                                \
  }
#define MIMEO_VCPU_SET(Type, name, REQUEST)      \
  Status VcpuFd::set_##name(const Type& value) { \
    Type copy = value;                           \
    MIMEO_TRY(ioctl(REQUEST, &copy, #REQUEST));  \
    return {};                                   \
  }

MIMEO_VCPU_GET(kvm_regs, regs, KVM_GET_REGS)
MIMEO_VCPU_SET(kvm_regs, regs, KVM_SET_REGS)
MIMEO_VCPU_GET(kvm_sregs, sregs, KVM_GET_SREGS)
MIMEO_VCPU_SET(kvm_sregs, sregs, KVM_SET_SREGS)
MIMEO_VCPU_GET(kvm_fpu, fpu, KVM_GET_FPU)
MIMEO_VCPU_SET(kvm_fpu, fpu, KVM_SET_FPU)
MIMEO_VCPU_GET(kvm_lapic_state, lapic, KVM_GET_LAPIC)
MIMEO_VCPU_SET(kvm_lapic_state, lapic, KVM_SET_LAPIC)
MIMEO_VCPU_GET(kvm_mp_state, mp_state, KVM_GET_MP_STATE)
MIMEO_VCPU_SET(kvm_mp_state, mp_state, KVM_SET_MP_STATE)
MIMEO_VCPU_GET(kvm_vcpu_events, vcpu_events, KVM_GET_VCPU_EVENTS)
MIMEO_VCPU_SET(kvm_vcpu_events, vcpu_events, KVM_SET_VCPU_EVENTS)
MIMEO_VCPU_GET(kvm_debugregs, debugregs, KVM_GET_DEBUGREGS)
MIMEO_VCPU_SET(kvm_debugregs, debugregs, KVM_SET_DEBUGREGS)
MIMEO_VCPU_GET(kvm_xcrs, xcrs, KVM_GET_XCRS)
MIMEO_VCPU_SET(kvm_xcrs, xcrs, KVM_SET_XCRS)

#undef MIMEO_VCPU_GET
#undef MIMEO_VCPU_SET

Result<Xsave> VcpuFd::get_xsave() const {
  Xsave xsave{};
  MIMEO_TRY(ioctl(abi::kGetXsave, &xsave, "KVM_GET_XSAVE"));
  return xsave;
}

Status VcpuFd::set_xsave(const Xsave& xsave) {
  Xsave copy = xsave;
  MIMEO_TRY(ioctl(abi::kSetXsave, &copy, "KVM_SET_XSAVE"));
  return {};
}

namespace {

// struct kvm_msrs as C lays it out: an 8-byte header, then the entries.
std::vector<uint64_t> msrs_buffer(const std::vector<kvm_msr_entry>& entries) {
  std::vector<uint64_t> buffer((sizeof(abi::MsrsHeader) + entries.size() * sizeof(kvm_msr_entry)) /
                               sizeof(uint64_t));
  abi::MsrsHeader header{static_cast<uint32_t>(entries.size()), 0};
  std::memcpy(buffer.data(), &header, sizeof(header));
  if (!entries.empty()) {
    std::memcpy(reinterpret_cast<uint8_t*>(buffer.data()) + sizeof(header), entries.data(),
                entries.size() * sizeof(kvm_msr_entry));
  }
  return buffer;
}

}  // namespace

Result<std::vector<kvm_msr_entry>> VcpuFd::get_msrs(const std::vector<uint32_t>& indices) const {
  std::vector<kvm_msr_entry> entries(indices.size());
  for (size_t i = 0; i < indices.size(); ++i) {
    entries[i].index = indices[i];
  }
  std::vector<uint64_t> buffer = msrs_buffer(entries);
  MIMEO_ASSIGN_OR_RETURN(int read, ioctl(abi::kGetMsrs, buffer.data(), "KVM_GET_MSRS"));
  if (static_cast<size_t>(read) != indices.size()) {
    return make_error(
        fmt::format("KVM_GET_MSRS (vCPU {}): MSR {:#x} could not be read ({} of {} read)", id_,
                    indices[read], read, indices.size()));
  }
  if (!entries.empty()) {
    std::memcpy(entries.data(), reinterpret_cast<uint8_t*>(buffer.data()) + sizeof(abi::MsrsHeader),
                entries.size() * sizeof(kvm_msr_entry));
  }
  return entries;
}

Status VcpuFd::set_msrs(const std::vector<kvm_msr_entry>& msrs) {
  std::vector<uint64_t> buffer = msrs_buffer(msrs);
  MIMEO_ASSIGN_OR_RETURN(int written, ioctl(abi::kSetMsrs, buffer.data(), "KVM_SET_MSRS"));
  if (static_cast<size_t>(written) != msrs.size()) {
    return make_error(
        fmt::format("KVM_SET_MSRS (vCPU {}): MSR {:#x} = {:#x} was not accepted ({} of {} set)",
                    id_, msrs[written].index, msrs[written].data, written, msrs.size()));
  }
  return {};
}

Status VcpuFd::set_cpuid2(const std::vector<kvm_cpuid_entry2>& entries) {
  // struct kvm_cpuid2 as C lays it out: an 8-byte header, then the entries.
  std::vector<uint8_t> bytes(sizeof(abi::Cpuid2Header) + entries.size() * sizeof(kvm_cpuid_entry2));
  abi::Cpuid2Header header{static_cast<uint32_t>(entries.size()), 0};
  std::memcpy(bytes.data(), &header, sizeof(header));
  if (!entries.empty()) {
    std::memcpy(bytes.data() + sizeof(header), entries.data(),
                entries.size() * sizeof(kvm_cpuid_entry2));
  }
  MIMEO_TRY(ioctl(abi::kSetCpuid2, bytes.data(), "KVM_SET_CPUID2"));
  return {};
}

Result<std::vector<kvm_cpuid_entry2>> VcpuFd::get_cpuid2() const {
  for (uint32_t nent = 64; nent <= 4096; nent *= 2) {
    std::vector<uint8_t> bytes(sizeof(abi::Cpuid2Header) + nent * sizeof(kvm_cpuid_entry2));
    abi::Cpuid2Header header{nent, 0};
    std::memcpy(bytes.data(), &header, sizeof(header));
    if (::ioctl(fd_.get(), abi::kGetCpuid2, bytes.data()) < 0) {
      if (errno == E2BIG) {
        continue;
      }
      return errno_error(fmt::format("KVM_GET_CPUID2 (vCPU {})", id_));
    }
    std::memcpy(&header, bytes.data(), sizeof(header));
    std::vector<kvm_cpuid_entry2> entries(header.nent);
    std::memcpy(entries.data(), bytes.data() + sizeof(header),
                header.nent * sizeof(kvm_cpuid_entry2));
    return entries;
  }
  return errno_error(fmt::format("KVM_GET_CPUID2 (vCPU {})", id_), E2BIG);
}

Result<uint32_t> VcpuFd::get_tsc_khz() const {
  MIMEO_ASSIGN_OR_RETURN(int khz,
                         checked_ioctl_value(fd_.get(), KVM_GET_TSC_KHZ, 0,
                                             fmt::format("KVM_GET_TSC_KHZ (vCPU {})", id_)));
  return static_cast<uint32_t>(khz);
}

Status VcpuFd::set_tsc_khz(uint32_t khz) {
  MIMEO_TRY(checked_ioctl_value(fd_.get(), KVM_SET_TSC_KHZ, khz,
                                fmt::format("KVM_SET_TSC_KHZ {} (vCPU {})", khz, id_)));
  return {};
}

}  // namespace mimeo::kvm

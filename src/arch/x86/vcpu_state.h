// Everything KVM holds for one x86 vCPU, as plain data, and the order in which
// it is read and written back (a paused vCPU only: outside KVM_RUN).
#pragma once

#include <linux/kvm.h>

#include <cstdint>
#include <vector>

#include "base/result.h"
#include "kvm/vcpu_fd.h"

namespace mimeo::x86 {

struct VcpuState {
  std::vector<kvm_cpuid_entry2> cpuid;
  kvm_regs regs{};
  kvm_sregs sregs{};
  kvm::Xsave xsave{};
  kvm_xcrs xcrs{};
  // Every MSR KVM reports as saveable (KVM_GET_MSR_INDEX_LIST) that this vCPU
  // can read, TSC and kvmclock included.
  std::vector<kvm_msr_entry> msrs;
  kvm_lapic_state lapic{};
  kvm_vcpu_events events{};
  kvm_mp_state mp_state{};
  kvm_debugregs debugregs{};
};

// The MSRs among `candidates` (KVM_GET_MSR_INDEX_LIST) this vCPU can read:
// KVM lists MSRs of features the guest's CPUID may not have, and
// KVM_GET_MSRS stops at the first it cannot read.
[[nodiscard]] Result<std::vector<uint32_t>> readable_msrs(const kvm::VcpuFd& vcpu,
                                                          const std::vector<uint32_t>& candidates);

[[nodiscard]] Result<VcpuState> save_vcpu(const kvm::VcpuFd& vcpu,
                                          const std::vector<uint32_t>& msrs);

// Writes `state` back. The order matters (it is Firecracker's): CPUID first
// (KVM checks MSRs and XSAVE against it), MP state, registers, special
// registers (EFER, CR0/CR4 before anything mode-dependent), XSAVE, XCRs, debug
// registers, LAPIC, then MSRs (TSC-deadline needs the LAPIC in place), and
// pending events last so an injected interrupt or exception is not lost.
[[nodiscard]] Status restore_vcpu(kvm::VcpuFd& vcpu, const VcpuState& state);

}  // namespace mimeo::x86

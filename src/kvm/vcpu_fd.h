// A KVM vCPU fd and its mmapped kvm_run: KVM_RUN and every register/state get/set.
#pragma once

#include <linux/kvm.h>

#include <cstdint>
#include <vector>

#include "base/mapping.h"
#include "base/result.h"
#include "base/unique_fd.h"
#include "kvm/kvm_abi.h"

namespace mimeo::kvm {

using Xsave = abi::Xsave;

class VcpuFd {
 public:
  VcpuFd(UniqueFd fd, Mapping run, uint32_t id)
      : fd_(std::move(fd)), run_(std::move(run)), id_(id) {}
  VcpuFd(VcpuFd&&) noexcept = default;
  VcpuFd& operator=(VcpuFd&&) noexcept = default;
  VcpuFd(const VcpuFd&) = delete;
  VcpuFd& operator=(const VcpuFd&) = delete;
  ~VcpuFd() = default;

  // The shared kvm_run page (nullptr once moved from).
  [[nodiscard]] kvm_run* run_struct() const { return reinterpret_cast<kvm_run*>(run_.data()); }
  // KVM_RUN until the next exit; read run_struct()->exit_reason afterwards. When
  // KVM_RUN was interrupted (EINTR: a signal or immediate_exit; EAGAIN) the Error
  // has err == EINTR so callers can tell "come back later" from a failure.
  Status run();
  // kvm_run.immediate_exit: when set, KVM_RUN returns EINTR at once (for a
  // signal handler that must stop a vCPU without a race).
  void set_immediate_exit(bool value);

  Result<kvm_regs> get_regs() const;
  Status set_regs(const kvm_regs& regs);
  Result<kvm_sregs> get_sregs() const;
  Status set_sregs(const kvm_sregs& sregs);
  // KVM_GET_FPU / KVM_SET_FPU. KVM neither reads nor fills the mxcsr field, and
  // while XSTATE_BV lacks x87/SSE the guest starts from their init state
  // anyway: set FPU state through set_xsave() (see arch/x86/vcpu_setup).
  Result<kvm_fpu> get_fpu() const;
  Status set_fpu(const kvm_fpu& fpu);
  // KVM_GET_MSRS for `indices`; fails naming the first MSR KVM did not read.
  Result<std::vector<kvm_msr_entry>> get_msrs(const std::vector<uint32_t>& indices) const;
  // KVM_SET_MSRS; fails naming the first MSR KVM did not accept.
  Status set_msrs(const std::vector<kvm_msr_entry>& msrs);
  // KVM_SET_CPUID2 / KVM_GET_CPUID2.
  Status set_cpuid2(const std::vector<kvm_cpuid_entry2>& entries);
  Result<std::vector<kvm_cpuid_entry2>> get_cpuid2() const;
  // KVM_GET_LAPIC / KVM_SET_LAPIC (needs the in-kernel irqchip).
  Result<kvm_lapic_state> get_lapic() const;
  Status set_lapic(const kvm_lapic_state& lapic);
  Result<kvm_mp_state> get_mp_state() const;
  Status set_mp_state(const kvm_mp_state& state);
  Result<kvm_vcpu_events> get_vcpu_events() const;
  Status set_vcpu_events(const kvm_vcpu_events& events);
  Result<kvm_debugregs> get_debugregs() const;
  Status set_debugregs(const kvm_debugregs& regs);
  // KVM_GET_XSAVE / KVM_SET_XSAVE: the legacy 4 KiB area, enough while the
  // guest has no dynamically enabled state (AMX), which mimeo never grants.
  Result<Xsave> get_xsave() const;
  Status set_xsave(const Xsave& xsave);
  Result<kvm_xcrs> get_xcrs() const;
  Status set_xcrs(const kvm_xcrs& xcrs);
  // KVM_GET_TSC_KHZ / KVM_SET_TSC_KHZ (setting needs KVM_CAP_TSC_CONTROL).
  Result<uint32_t> get_tsc_khz() const;
  Status set_tsc_khz(uint32_t khz);

  [[nodiscard]] int fd() const { return fd_.get(); }
  [[nodiscard]] uint32_t id() const { return id_; }

 private:
  // ioctl on this vCPU; errors read "KVM_xxx (vCPU n)".
  Result<int> ioctl(unsigned long request, void* arg, const char* name) const;

  UniqueFd fd_;
  Mapping run_;
  uint32_t id_ = 0;
};

}  // namespace mimeo::kvm

#include "arch/x86/vcpu_state.h"

namespace mimeo::x86 {

Result<std::vector<uint32_t>> readable_msrs(const kvm::VcpuFd& vcpu,
                                            const std::vector<uint32_t>& candidates) {
  std::vector<uint32_t> readable;
  readable.reserve(candidates.size());
  for (uint32_t index : candidates) {
    if (vcpu.get_msrs({index}).ok()) {
      readable.push_back(index);
    }
  }
  return readable;
}

Result<VcpuState> save_vcpu(const kvm::VcpuFd& vcpu, const std::vector<uint32_t>& msrs) {
  VcpuState state;
  MIMEO_ASSIGN_OR_RETURN(state.cpuid, vcpu.get_cpuid2());
  MIMEO_ASSIGN_OR_RETURN(state.mp_state, vcpu.get_mp_state());
  MIMEO_ASSIGN_OR_RETURN(state.regs, vcpu.get_regs());
  MIMEO_ASSIGN_OR_RETURN(state.sregs, vcpu.get_sregs());
  MIMEO_ASSIGN_OR_RETURN(state.xsave, vcpu.get_xsave());
  MIMEO_ASSIGN_OR_RETURN(state.xcrs, vcpu.get_xcrs());
  MIMEO_ASSIGN_OR_RETURN(state.debugregs, vcpu.get_debugregs());
  MIMEO_ASSIGN_OR_RETURN(state.lapic, vcpu.get_lapic());
  MIMEO_ASSIGN_OR_RETURN(state.msrs, vcpu.get_msrs(msrs));
  MIMEO_ASSIGN_OR_RETURN(state.events, vcpu.get_vcpu_events());
  return state;
}

Status restore_vcpu(kvm::VcpuFd& vcpu, const VcpuState& state) {
  MIMEO_TRY(vcpu.set_cpuid2(state.cpuid));
  MIMEO_TRY(vcpu.set_mp_state(state.mp_state));
  MIMEO_TRY(vcpu.set_regs(state.regs));
  MIMEO_TRY(vcpu.set_sregs(state.sregs));
  MIMEO_TRY(vcpu.set_xsave(state.xsave));
  MIMEO_TRY(vcpu.set_xcrs(state.xcrs));
  MIMEO_TRY(vcpu.set_debugregs(state.debugregs));
  MIMEO_TRY(vcpu.set_lapic(state.lapic));
  MIMEO_TRY(vcpu.set_msrs(state.msrs));
  MIMEO_TRY(vcpu.set_vcpu_events(state.events));
  return {};
}

}  // namespace mimeo::x86

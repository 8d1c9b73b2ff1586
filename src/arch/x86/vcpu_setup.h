// The initial state of mimeo's vCPUs (docs/boot.md).
//
// For every vCPU, in this order: VcpuFd::set_cpuid2() (KVM checks MSRs against
// the CPUID), then setup_common_vcpu_state(); then, for the boot vCPU only, the
// entry state of the kernel's boot protocol. The other vCPUs (APs) stay in
// wait-for-SIPI (KVM_MP_STATE_UNINITIALIZED) until the guest starts them with
// INIT-SIPI-SIPI, as Linux does under both boot protocols.
#pragma once

#include <cstdint>

#include "arch/x86/guest_ram.h"
#include "base/result.h"
#include "kvm/vcpu_fd.h"

namespace mimeo::x86 {

inline constexpr uint32_t kMsrIa32ApicBase = 0x1b;
inline constexpr uint32_t kMsrIa32MiscEnable = 0x1a0;
inline constexpr uint32_t kMsrMtrrDefType = 0x2ff;
inline constexpr uint64_t kMiscEnableFastStrings = 1ULL << 0;
inline constexpr uint64_t kMtrrDefTypeEnable = 1ULL << 11;
inline constexpr uint64_t kMtrrTypeWriteBack = 6;
inline constexpr uint64_t kApicBaseAddress = 0xfee00000;
inline constexpr uint64_t kApicBaseBsp = 1ULL << 8;
inline constexpr uint64_t kApicBaseEnable = 1ULL << 11;
// kvm_lapic_state.regs offsets and the LVT delivery modes (bits 8-10).
inline constexpr uint32_t kApicLvtLint0 = 0x350;
inline constexpr uint32_t kApicLvtLint1 = 0x360;
inline constexpr uint32_t kApicDeliveryModeNmi = 4;
inline constexpr uint32_t kApicDeliveryModeExtInt = 7;

// PVH entry (xen/include/public/arch-x86/hvm/start_info.h): 32-bit protected
// mode, paging off, flat 4 GiB CS (0x08) and DS/ES/FS/GS/SS (0x18) from the boot
// GDT (written here), CR0 = PE | ET, CR4 = 0, EFER = 0, TR limit 0x67,
// EFLAGS = 0x2, EIP = entry, EBX = start_info.
Status setup_pvh_entry_state(kvm::VcpuFd& vcpu, const GuestRam& ram, uint64_t entry,
                             uint64_t start_info_gpa);

// Linux 64-bit boot protocol: long mode with the boot GDT and identity page
// tables for [0, 4 GiB) (both written here), CS = 0x10 (64-bit), DS/ES/FS/GS/SS =
// 0x18, CR0 = PE | ET | PG, CR3 = kPml4Addr, CR4 = PAE, EFER = LME | LMA,
// RFLAGS = 0x2 (interrupts off), RIP = entry, RSI = boot_params.
Status setup_linux64_entry_state(kvm::VcpuFd& vcpu, const GuestRam& ram, uint64_t entry,
                                 uint64_t boot_params_gpa);

// x87 control word 0x37f and MXCSR 0x1f80, set through KVM_SET_XSAVE with the
// x87/SSE bits in XSTATE_BV (KVM_SET_FPU ignores MXCSR).
Status setup_fpu(kvm::VcpuFd& vcpu);
// IA32_MISC_ENABLE with fast strings added, MTRRdefType enabled with write-back as the
// default type (no MTRR ranges: all RAM is cacheable), and IA32_APIC_BASE at
// 0xfee00000, enabled, with the BSP flag for the boot vCPU.
Status setup_msrs(kvm::VcpuFd& vcpu, bool bsp);
// LAPIC LINT0 = ExtINT (the PIC's output) and LINT1 = NMI, mask bits kept, as
// QEMU and Firecracker do. Needs the in-kernel irqchip.
Status setup_lapic_lints(kvm::VcpuFd& vcpu);
// RUNNABLE for the boot vCPU, UNINITIALIZED (wait-for-SIPI) for the others.
Status setup_mp_state(kvm::VcpuFd& vcpu, bool bsp);
// All four above.
Status setup_common_vcpu_state(kvm::VcpuFd& vcpu, bool bsp);

}  // namespace mimeo::x86

#include "arch/x86/vcpu_setup.h"

#include <cstring>

#include "arch/x86/boot_layout.h"
#include "arch/x86/boot_tables.h"

namespace mimeo::x86 {

namespace {

constexpr uint64_t kCr0Pe = 1ULL << 0;
constexpr uint64_t kCr0Et = 1ULL << 4;
constexpr uint64_t kCr0Pg = 1ULL << 31;
constexpr uint64_t kCr4Pae = 1ULL << 5;
constexpr uint64_t kEferLme = 1ULL << 8;
constexpr uint64_t kEferLma = 1ULL << 10;
constexpr uint64_t kRflagsReserved = 0x2;
constexpr uint8_t kTypeCodeExecReadAccessed = 0xb;
constexpr uint8_t kTypeDataReadWriteAccessed = 0x3;
constexpr uint32_t kTssLimit = 0x67;

// XSAVE area offsets (legacy region and header).
constexpr size_t kXsaveFcwOffset = 0;
constexpr size_t kXsaveMxcsrOffset = 24;
constexpr size_t kXsaveXstateBvOffset = 512;
constexpr uint64_t kXstateX87Sse = 0x3;
constexpr uint16_t kFpuControlWord = 0x37f;
constexpr uint32_t kMxcsrDefault = 0x1f80;

enum class SegmentKind { kCode32, kCode64, kData };

// A flat 4 GiB segment matching the boot GDT descriptor of `selector`.
kvm_segment flat_segment(uint16_t selector, SegmentKind kind) {
  kvm_segment segment{};
  segment.base = 0;
  segment.limit = 0xffffffff;
  segment.selector = selector;
  segment.type =
      kind == SegmentKind::kData ? kTypeDataReadWriteAccessed : kTypeCodeExecReadAccessed;
  segment.present = 1;
  segment.dpl = 0;
  segment.db = kind == SegmentKind::kCode64 ? 0 : 1;
  segment.s = 1;
  segment.l = kind == SegmentKind::kCode64 ? 1 : 0;
  segment.g = 1;
  return segment;
}

void set_data_segments(kvm_sregs& sregs) {
  const kvm_segment data = flat_segment(kBootDataSelector, SegmentKind::kData);
  sregs.ds = data;
  sregs.es = data;
  sregs.fs = data;
  sregs.gs = data;
  sregs.ss = data;
}

void set_boot_gdt(kvm_sregs& sregs) {
  sregs.gdt.base = kBootGdtAddr;
  sregs.gdt.limit = kBootGdtEntries * 8 - 1;
  // No IDT: interrupts are off and any exception before the kernel loads its
  // own IDT is fatal anyway.
  sregs.idt.base = 0;
  sregs.idt.limit = 0;
}

Status set_entry_registers(kvm::VcpuFd& vcpu, uint64_t entry, uint64_t rbx, uint64_t rsi) {
  kvm_regs regs{};
  regs.rip = entry;
  regs.rflags = kRflagsReserved;
  regs.rbx = rbx;
  regs.rsi = rsi;
  regs.rsp = kBootStackPointer;
  regs.rbp = kBootStackPointer;
  return vcpu.set_regs(regs);
}

}  // namespace

Status setup_pvh_entry_state(kvm::VcpuFd& vcpu, const GuestRam& ram, uint64_t entry,
                             uint64_t start_info_gpa) {
  MIMEO_TRY(write_boot_gdt(ram));
  MIMEO_ASSIGN_OR_RETURN(kvm_sregs sregs, vcpu.get_sregs());
  sregs.cs = flat_segment(kBootCode32Selector, SegmentKind::kCode32);
  set_data_segments(sregs);
  set_boot_gdt(sregs);
  sregs.tr.limit = kTssLimit;
  sregs.cr0 = kCr0Pe | kCr0Et;
  sregs.cr3 = 0;
  sregs.cr4 = 0;
  sregs.efer = 0;
  MIMEO_TRY(vcpu.set_sregs(sregs));
  return set_entry_registers(vcpu, entry, start_info_gpa, 0);
}

Status setup_linux64_entry_state(kvm::VcpuFd& vcpu, const GuestRam& ram, uint64_t entry,
                                 uint64_t boot_params_gpa) {
  MIMEO_TRY(write_boot_gdt(ram));
  MIMEO_TRY(write_identity_page_tables(ram));
  MIMEO_ASSIGN_OR_RETURN(kvm_sregs sregs, vcpu.get_sregs());
  sregs.cs = flat_segment(kBootCode64Selector, SegmentKind::kCode64);
  set_data_segments(sregs);
  set_boot_gdt(sregs);
  sregs.cr0 = kCr0Pe | kCr0Et | kCr0Pg;
  sregs.cr3 = kPml4Addr;
  sregs.cr4 = kCr4Pae;
  sregs.efer = kEferLme | kEferLma;
  MIMEO_TRY(vcpu.set_sregs(sregs));
  return set_entry_registers(vcpu, entry, 0, boot_params_gpa);
}

Status setup_fpu(kvm::VcpuFd& vcpu) {
  MIMEO_ASSIGN_OR_RETURN(kvm::Xsave xsave, vcpu.get_xsave());
  auto* bytes = reinterpret_cast<uint8_t*>(xsave.region);
  std::memcpy(bytes + kXsaveFcwOffset, &kFpuControlWord, sizeof(kFpuControlWord));
  std::memcpy(bytes + kXsaveMxcsrOffset, &kMxcsrDefault, sizeof(kMxcsrDefault));
  uint64_t xstate_bv = 0;
  std::memcpy(&xstate_bv, bytes + kXsaveXstateBvOffset, sizeof(xstate_bv));
  xstate_bv |= kXstateX87Sse;
  std::memcpy(bytes + kXsaveXstateBvOffset, &xstate_bv, sizeof(xstate_bv));
  return vcpu.set_xsave(xsave);
}

Status setup_msrs(kvm::VcpuFd& vcpu, bool bsp) {
  // Keep the bits KVM sets in IA32_MISC_ENABLE (BTS/PEBS unavailable).
  MIMEO_ASSIGN_OR_RETURN(auto misc_enable, vcpu.get_msrs({kMsrIa32MiscEnable}));
  std::vector<kvm_msr_entry> msrs(3);
  msrs[0].index = kMsrIa32MiscEnable;
  msrs[0].data = misc_enable[0].data | kMiscEnableFastStrings;
  msrs[1].index = kMsrMtrrDefType;
  msrs[1].data = kMtrrDefTypeEnable | kMtrrTypeWriteBack;
  msrs[2].index = kMsrIa32ApicBase;
  msrs[2].data = kApicBaseAddress | kApicBaseEnable | (bsp ? kApicBaseBsp : 0);
  return vcpu.set_msrs(msrs);
}

Status setup_lapic_lints(kvm::VcpuFd& vcpu) {
  MIMEO_ASSIGN_OR_RETURN(kvm_lapic_state lapic, vcpu.get_lapic());
  const auto set_delivery_mode = [&lapic](uint32_t offset, uint32_t mode) {
    uint32_t value = 0;
    std::memcpy(&value, lapic.regs + offset, sizeof(value));
    value = (value & ~0x700u) | (mode << 8);
    std::memcpy(lapic.regs + offset, &value, sizeof(value));
  };
  set_delivery_mode(kApicLvtLint0, kApicDeliveryModeExtInt);
  set_delivery_mode(kApicLvtLint1, kApicDeliveryModeNmi);
  return vcpu.set_lapic(lapic);
}

Status setup_mp_state(kvm::VcpuFd& vcpu, bool bsp) {
  kvm_mp_state state{};
  state.mp_state = bsp ? KVM_MP_STATE_RUNNABLE : KVM_MP_STATE_UNINITIALIZED;
  return vcpu.set_mp_state(state);
}

Status setup_common_vcpu_state(kvm::VcpuFd& vcpu, bool bsp) {
  MIMEO_TRY(setup_fpu(vcpu));
  MIMEO_TRY(setup_msrs(vcpu, bsp));
  MIMEO_TRY(setup_lapic_lints(vcpu));
  return setup_mp_state(vcpu, bsp);
}

}  // namespace mimeo::x86

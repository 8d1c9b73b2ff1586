// The boot pieces on a real vCPU: the loaders' output and the entry state must
// make real code run (long mode with paging, PVH protected mode), and the
// common state must be accepted by KVM. Skipped without /dev/kvm.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>

#include "arch/x86/boot.h"
#include "arch/x86/boot_layout.h"
#include "arch/x86/cpuid.h"
#include "arch/x86/vcpu_setup.h"
#include "image_builders.h"
#include "unit/kvm/kvm_fixture.h"

namespace mimeo::x86 {
namespace {

constexpr uint64_t kRamSize = 32ULL << 20;
constexpr uint64_t kProbe = kRamSize - 0x1000;  // in the last 2 MiB page of the mapping
constexpr uint8_t kProbeValue = 0x5a;

class BootVm : public kvm::testing::KvmTest {
 protected:
  void SetUp() override {
    KvmTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) {
      return;
    }
    auto vm = kvm().create_vm();
    ASSERT_TRUE(vm.ok());
    vm_.emplace(std::move(vm).value());
    ram_ = anonymous(kRamSize);
    ram_.data()[kProbe] = kProbeValue;
    auto slot = vm_->add_memory_slot(0, 0, kRamSize, ram_.data(), false);
    ASSERT_TRUE(slot.ok()) << slot.error().describe();
    slot_ = std::move(slot).value();
    guest_ = guest_ram_over(std::span(ram_.data(), ram_.size()));
    auto size = kvm().vcpu_mmap_size();
    ASSERT_TRUE(size.ok());
    mmap_size_ = *size;
  }

  kvm::VcpuFd create_vcpu(uint32_t id) {
    auto vcpu = vm_->create_vcpu(id, mmap_size_);
    EXPECT_TRUE(vcpu.ok()) << vcpu.error().describe();
    return std::move(vcpu).value();
  }

  // Runs to the next exit; for an OUT returns (port, value), else checks the reason.
  std::pair<uint16_t, uint32_t> run_to_out(kvm::VcpuFd& vcpu) {
    auto status = vcpu.run();
    EXPECT_TRUE(status.ok()) << status.error().describe();
    const kvm_run* run = vcpu.run_struct();
    EXPECT_EQ(run->exit_reason, static_cast<uint32_t>(KVM_EXIT_IO))
        << "exit " << run->exit_reason << " (internal error suberror " << run->internal.suberror
        << ")";
    uint32_t value = 0;
    std::memcpy(&value, reinterpret_cast<const uint8_t*>(run) + run->io.data_offset, run->io.size);
    return {run->io.port, value};
  }

  void expect_hlt(kvm::VcpuFd& vcpu) {
    ASSERT_TRUE(vcpu.run().ok());
    EXPECT_EQ(vcpu.run_struct()->exit_reason, static_cast<uint32_t>(KVM_EXIT_HLT));
  }

  std::optional<kvm::VmFd> vm_;
  Mapping ram_;
  kvm::MemorySlot slot_;
  GuestRam guest_;
  size_t mmap_size_ = 0;
};

TEST_F(BootVm, BzImageRunsIn64BitModeWithIdentityPaging) {
  testing::BzImageSpec spec;
  spec.pref_address = 0x1000000;
  spec.init_size = 0x100000;
  spec.protected_mode = std::vector<uint8_t>(0x200, 0x90);
  const std::vector<uint8_t> code = {
      0x48, 0xb8, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11,  // mov rax, 0x1122334455667788
      0x8a, 0x04, 0x25, 0x00, 0xf0, 0xff, 0x01,                    // mov al, [0x1fff000]
      0xe6, 0x10,                                                  // out 0x10, al
      0x8a, 0x86, 0x10, 0x02, 0x00, 0x00,                          // mov al, [rsi + 0x210]
      0xe6, 0x11,                                                  // out 0x11, al
      0xf4};                                                       // hlt
  spec.protected_mode.insert(spec.protected_mode.end(), code.begin(), code.end());
  while (spec.protected_mode.size() % 16 != 0) spec.protected_mode.push_back(0x90);
  auto boot = load_kernel(testing::build_bzimage(spec), {"console=ttyS0", {}}, guest_);
  ASSERT_TRUE(boot.ok()) << boot.error().describe();
  ASSERT_EQ(boot->format, KernelFormat::kBzImage64);

  kvm::VcpuFd vcpu = create_vcpu(0);
  ASSERT_TRUE(setup_fpu(vcpu).ok());
  ASSERT_TRUE(setup_msrs(vcpu, true).ok());
  ASSERT_TRUE(setup_boot_vcpu(vcpu, guest_, *boot).ok());

  EXPECT_EQ(run_to_out(vcpu), (std::pair<uint16_t, uint32_t>{0x10, kProbeValue}));
  EXPECT_EQ(run_to_out(vcpu), (std::pair<uint16_t, uint32_t>{0x11, 0xff}))
      << "boot_params.hdr.type_of_loader through %rsi";
  expect_hlt(vcpu);
  auto regs = vcpu.get_regs();
  ASSERT_TRUE(regs.ok());
  EXPECT_EQ(regs->rax, 0x11223344556677ffu) << "64-bit registers";
  EXPECT_EQ(regs->rsi, kZeroPageAddr);
  auto sregs = vcpu.get_sregs();
  ASSERT_TRUE(sregs.ok());
  EXPECT_EQ(sregs->cs.selector, 0x10);
  EXPECT_EQ(sregs->cs.l, 1);
  EXPECT_NE(sregs->efer & (1u << 10), 0u) << "EFER.LMA";
  EXPECT_EQ(sregs->cr3, kPml4Addr);
}

TEST_F(BootVm, PvhKernelRunsInProtectedModeWithStartInfoInEbx) {
  const std::vector<uint8_t> code = {0x8b, 0x03,                    // mov eax, [ebx]
                                     0xe7, 0x10,                    // out 0x10, eax
                                     0xa0, 0x00, 0xf0, 0xff, 0x01,  // mov al, [0x1fff000]
                                     0xe6, 0x11,                    // out 0x11, al
                                     0xf4};                         // hlt
  auto boot = load_kernel(testing::simple_pvh_elf(code), {"", {}}, guest_);
  ASSERT_TRUE(boot.ok()) << boot.error().describe();
  ASSERT_EQ(boot->format, KernelFormat::kPvhElf);

  kvm::VcpuFd vcpu = create_vcpu(0);
  ASSERT_TRUE(setup_boot_vcpu(vcpu, guest_, *boot).ok());
  EXPECT_EQ(run_to_out(vcpu), (std::pair<uint16_t, uint32_t>{0x10, 0x336ec578}));
  EXPECT_EQ(run_to_out(vcpu), (std::pair<uint16_t, uint32_t>{0x11, kProbeValue}));
  expect_hlt(vcpu);
  auto sregs = vcpu.get_sregs();
  ASSERT_TRUE(sregs.ok());
  EXPECT_EQ(sregs->cr0 & 0x80000001, 1u) << "PE without PG";
  EXPECT_EQ(sregs->efer, 0u);
  EXPECT_EQ(sregs->cs.db, 1);
  EXPECT_EQ(vcpu.get_regs()->rbx, kPvhStartInfoAddr);
}

TEST_F(BootVm, GuestSeesItsCpuid) {
  auto supported = kvm().supported_cpuid();
  ASSERT_TRUE(supported.ok());
  auto model = parse_cpu_option("host,-cx16");
  ASSERT_TRUE(model.ok());
  auto cpuid = build_cpuid(*supported, {*model, 2, false});
  ASSERT_TRUE(cpuid.ok()) << cpuid.error().describe();
  const std::vector<uint8_t> code = {0xb8, 0x01, 0x00, 0x00, 0x00,  // mov eax, 1
                                     0x0f, 0xa2,                    // cpuid
                                     0x89, 0xd8,                    // mov eax, ebx
                                     0xe7, 0x10,                    // out 0x10, eax
                                     0x89, 0xc8,                    // mov eax, ecx
                                     0xe7, 0x11,                    // out 0x11, eax
                                     0xb8, 0x00, 0x00, 0x00, 0x40,  // mov eax, 0x40000000
                                     0x0f, 0xa2,                    // cpuid
                                     0x89, 0xd8,                    // mov eax, ebx
                                     0xe7, 0x12,                    // out 0x12, eax
                                     0xf4};                         // hlt
  std::copy(code.begin(), code.end(), ram_.data() + 0x100000);
  kvm::VcpuFd bsp = create_vcpu(0);
  kvm::VcpuFd ap = create_vcpu(1);  // without an irqchip every vCPU runs
  ASSERT_TRUE(bsp.set_cpuid2(cpuid_for_vcpu(*cpuid, apic_id_of_vcpu(0))).ok());
  auto status = ap.set_cpuid2(cpuid_for_vcpu(*cpuid, apic_id_of_vcpu(1)));
  ASSERT_TRUE(status.ok()) << status.error().describe();
  ASSERT_TRUE(setup_linux64_entry_state(ap, guest_, 0x100000, 0).ok());
  auto [port, ebx] = run_to_out(ap);
  EXPECT_EQ(port, 0x10);
  EXPECT_EQ(ebx >> 24, 1u) << "APIC ID of vCPU 1";
  EXPECT_EQ((ebx >> 16) & 0xff, 2u) << "logical processors";
  auto [port2, ecx] = run_to_out(ap);
  EXPECT_NE(ecx & (1u << 31), 0u) << "hypervisor";
  EXPECT_EQ(ecx & (1u << 13), 0u) << "-cx16";
  auto [port3, signature] = run_to_out(ap);
  EXPECT_EQ(signature, 0x4b4d564bu) << "KVMK";
  expect_hlt(ap);
}

TEST_F(BootVm, CommonStateIsAcceptedByKvm) {
  ASSERT_TRUE(vm_->create_irqchip().ok());  // after the slot: see VmFd::add_memory_slot
  auto supported = kvm().supported_cpuid();
  ASSERT_TRUE(supported.ok());
  auto cpuid = build_cpuid(*supported, {CpuModel{}, 2, true});
  ASSERT_TRUE(cpuid.ok());
  for (uint32_t id : {0u, 1u}) {
    SCOPED_TRACE(id);
    const bool bsp = id == 0;
    kvm::VcpuFd vcpu = create_vcpu(id);
    ASSERT_TRUE(vcpu.set_cpuid2(cpuid_for_vcpu(*cpuid, apic_id_of_vcpu(id))).ok());
    auto status = setup_common_vcpu_state(vcpu, bsp);
    ASSERT_TRUE(status.ok()) << status.error().describe();

    auto msrs = vcpu.get_msrs({kMsrIa32MiscEnable, kMsrMtrrDefType, kMsrIa32ApicBase});
    ASSERT_TRUE(msrs.ok()) << msrs.error().describe();
    EXPECT_NE((*msrs)[0].data & kMiscEnableFastStrings, 0u);
    EXPECT_EQ((*msrs)[1].data, 0x806u);
    EXPECT_EQ((*msrs)[2].data, bsp ? 0xfee00900u : 0xfee00800u);

    auto lapic = vcpu.get_lapic();
    ASSERT_TRUE(lapic.ok());
    uint32_t lint0 = 0;
    uint32_t lint1 = 0;
    std::memcpy(&lint0, lapic->regs + kApicLvtLint0, 4);
    std::memcpy(&lint1, lapic->regs + kApicLvtLint1, 4);
    EXPECT_EQ((lint0 >> 8) & 7, kApicDeliveryModeExtInt);
    EXPECT_EQ((lint1 >> 8) & 7, kApicDeliveryModeNmi);

    auto mp = vcpu.get_mp_state();
    ASSERT_TRUE(mp.ok());
    EXPECT_EQ(mp->mp_state,
              static_cast<uint32_t>(bsp ? KVM_MP_STATE_RUNNABLE : KVM_MP_STATE_UNINITIALIZED));

    auto xsave = vcpu.get_xsave();
    ASSERT_TRUE(xsave.ok());
    EXPECT_EQ(xsave->region[0] & 0xffff, 0x37fu) << "FCW";
    EXPECT_EQ(xsave->region[6], 0x1f80u) << "MXCSR";
  }
}

}  // namespace
}  // namespace mimeo::x86

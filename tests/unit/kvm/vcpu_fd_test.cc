#include "kvm/vcpu_fd.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

#include "kvm_fixture.h"

namespace mimeo::kvm {
namespace {

constexpr uint32_t kMsrTsc = 0x10;
constexpr uint32_t kMsrApicBase = 0x1b;
constexpr uint32_t kMsrSysenterCs = 0x174;

// A VM with the in-kernel irqchip and one vCPU, for the state ioctls.
class VcpuState : public testing::KvmTest {
 protected:
  void SetUp() override {
    KvmTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) {
      return;
    }
    auto vm = kvm().create_vm();
    ASSERT_TRUE(vm.ok());
    vm_.emplace(std::move(vm).value());
    ASSERT_TRUE(vm_->create_irqchip().ok());
    auto size = kvm().vcpu_mmap_size();
    ASSERT_TRUE(size.ok());
    auto vcpu = vm_->create_vcpu(0, *size);
    ASSERT_TRUE(vcpu.ok()) << vcpu.error().describe();
    vcpu_.emplace(std::move(vcpu).value());
  }

  std::optional<VmFd> vm_;
  std::optional<VcpuFd> vcpu_;
};

TEST_F(VcpuState, RegistersRoundTrip) {
  auto regs = vcpu_->get_regs();
  ASSERT_TRUE(regs.ok());
  regs->rax = 0x1122334455667788;
  regs->rip = 0x1234;
  ASSERT_TRUE(vcpu_->set_regs(*regs).ok());
  auto back = vcpu_->get_regs();
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->rax, 0x1122334455667788u);
  EXPECT_EQ(back->rip, 0x1234u);

  auto sregs = vcpu_->get_sregs();
  ASSERT_TRUE(sregs.ok());
  EXPECT_EQ(sregs->cs.selector, 0xf000) << "reset state";
  sregs->cr0 |= 1;  // PE
  sregs->cs.base = 0;
  ASSERT_TRUE(vcpu_->set_sregs(*sregs).ok());
  EXPECT_EQ(vcpu_->get_sregs()->cr0 & 1, 1u);

  auto fpu = vcpu_->get_fpu();
  ASSERT_TRUE(fpu.ok());
  fpu->fcw = 0x27f;
  ASSERT_TRUE(vcpu_->set_fpu(*fpu).ok());
  EXPECT_EQ(vcpu_->get_fpu()->fcw, 0x27f);
}

TEST_F(VcpuState, MsrsRoundTripAndUnknownMsrIsNamed) {
  std::vector<kvm_msr_entry> set(2);
  set[0].index = kMsrSysenterCs;
  set[0].data = 0x10;
  set[1].index = kMsrTsc;
  set[1].data = 1'000'000;
  auto status = vcpu_->set_msrs(set);
  ASSERT_TRUE(status.ok()) << status.error().describe();
  auto got = vcpu_->get_msrs({kMsrSysenterCs, kMsrApicBase, kMsrTsc});
  ASSERT_TRUE(got.ok()) << got.error().describe();
  ASSERT_EQ(got->size(), 3u);
  EXPECT_EQ((*got)[0].index, kMsrSysenterCs);
  EXPECT_EQ((*got)[0].data, 0x10u);
  EXPECT_EQ((*got)[1].data & 0xfffff000, 0xfee00000u) << "APIC base";
  EXPECT_GE((*got)[2].data, 1'000'000u);

  std::ifstream ignore("/sys/module/kvm/parameters/ignore_msrs");
  char ignored = 'N';
  ignore >> ignored;
  if (ignored == 'Y') {
    GTEST_SKIP() << "kvm.ignore_msrs=Y: unknown MSRs read as 0";
  }
  auto bad = vcpu_->get_msrs({kMsrTsc, 0xdeadbeef});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message,
            "KVM_GET_MSRS (vCPU 0): MSR 0xdeadbeef could not be read (1 of 2 read)");
}

TEST_F(VcpuState, AllIndexListMsrsCanBeSaved) {
  auto list = kvm().msr_index_list();
  ASSERT_TRUE(list.ok());
  auto cpuid = kvm().supported_cpuid();
  ASSERT_TRUE(cpuid.ok());
  ASSERT_TRUE(vcpu_->set_cpuid2(*cpuid).ok());
  // Which of them a vCPU can read depends on its CPUID; most must work.
  size_t readable = 0;
  for (uint32_t index : *list) {
    readable += vcpu_->get_msrs({index}).ok() ? 1 : 0;
  }
  EXPECT_GT(readable, list->size() / 2);
}

TEST_F(VcpuState, CpuidIsSetAndReadBack) {
  auto cpuid = kvm().supported_cpuid();
  ASSERT_TRUE(cpuid.ok());
  ASSERT_TRUE(vcpu_->set_cpuid2(*cpuid).ok());
  auto back = vcpu_->get_cpuid2();
  ASSERT_TRUE(back.ok()) << back.error().describe();
  EXPECT_EQ(back->size(), cpuid->size());
  EXPECT_EQ((*back)[0].function, (*cpuid)[0].function);
  EXPECT_EQ((*back)[0].ebx, (*cpuid)[0].ebx);
}

TEST_F(VcpuState, InterruptControllerAndEventStateRoundTrip) {
  auto lapic = vcpu_->get_lapic();
  ASSERT_TRUE(lapic.ok()) << lapic.error().describe();
  ASSERT_TRUE(vcpu_->set_lapic(*lapic).ok());

  auto mp = vcpu_->get_mp_state();
  ASSERT_TRUE(mp.ok());
  EXPECT_EQ(mp->mp_state, static_cast<uint32_t>(KVM_MP_STATE_RUNNABLE)) << "vCPU 0 is the BSP";
  ASSERT_TRUE(vcpu_->set_mp_state(*mp).ok());

  auto events = vcpu_->get_vcpu_events();
  ASSERT_TRUE(events.ok());
  ASSERT_TRUE(vcpu_->set_vcpu_events(*events).ok());

  auto debug = vcpu_->get_debugregs();
  ASSERT_TRUE(debug.ok());
  debug->db[0] = 0x1000;
  ASSERT_TRUE(vcpu_->set_debugregs(*debug).ok());
  EXPECT_EQ(vcpu_->get_debugregs()->db[0], 0x1000u);
}

TEST_F(VcpuState, ExtendedStateAndTscRoundTrip) {
  auto xsave = vcpu_->get_xsave();
  ASSERT_TRUE(xsave.ok()) << xsave.error().describe();
  ASSERT_TRUE(vcpu_->set_xsave(*xsave).ok());
  auto has_xcrs = kvm().check_extension(KVM_CAP_XCRS);
  ASSERT_TRUE(has_xcrs.ok());
  if (*has_xcrs > 0) {
    auto xcrs = vcpu_->get_xcrs();
    ASSERT_TRUE(xcrs.ok()) << xcrs.error().describe();
    ASSERT_TRUE(vcpu_->set_xcrs(*xcrs).ok());
  }
  auto khz = vcpu_->get_tsc_khz();
  ASSERT_TRUE(khz.ok()) << khz.error().describe();
  EXPECT_GT(*khz, 100'000u);
  auto control = kvm().check_extension(KVM_CAP_TSC_CONTROL);
  ASSERT_TRUE(control.ok());
  if (*control == 0) {
    EXPECT_FALSE(vcpu_->set_tsc_khz(*khz / 2).ok()) << "no KVM_CAP_TSC_CONTROL";
  }
}

TEST_F(VcpuState, SecondVcpuWaitsForSipi) {
  auto size = kvm().vcpu_mmap_size();
  ASSERT_TRUE(size.ok());
  auto ap = vm_->create_vcpu(1, *size);
  ASSERT_TRUE(ap.ok());
  EXPECT_EQ(ap->id(), 1u);
  auto mp = ap->get_mp_state();
  ASSERT_TRUE(mp.ok());
  EXPECT_EQ(mp->mp_state, static_cast<uint32_t>(KVM_MP_STATE_UNINITIALIZED));
  auto dup = vm_->create_vcpu(1, *size);
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().message, "KVM_CREATE_VCPU 1");
}

}  // namespace
}  // namespace mimeo::kvm

#include "kvm/vm_fd.h"

#include <gtest/gtest.h>

#include <cstring>

#include "kvm_fixture.h"

namespace mimeo::kvm {
namespace {

constexpr uint64_t kRamSize = 0x10000;  // slot 0: guest-physical 0..64 KiB
constexpr uint64_t kCode = 0x1000;
constexpr uint64_t kExtra = 0x10000;  // a second 4 KiB slot right above

// Real-mode guest: one VM, 64 KiB of RAM in slot 0, one vCPU at kCode.
class RealModeGuest : public testing::KvmTest {
 protected:
  void SetUp() override {
    KvmTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) {
      return;
    }
    auto vm = kvm().create_vm();
    ASSERT_TRUE(vm.ok()) << vm.error().describe();
    vm_.emplace(std::move(vm).value());
    ram_ = anonymous(kRamSize);
    auto slot = vm_->add_memory_slot(0, 0, kRamSize, ram_.data(), false);
    ASSERT_TRUE(slot.ok()) << slot.error().describe();
    ram_slot_ = std::move(slot).value();
    auto mmap_size = kvm().vcpu_mmap_size();
    ASSERT_TRUE(mmap_size.ok());
    auto vcpu = vm_->create_vcpu(0, *mmap_size);
    ASSERT_TRUE(vcpu.ok()) << vcpu.error().describe();
    vcpu_.emplace(std::move(vcpu).value());
    enter_real_mode(*vcpu_, kCode);
  }

  void load_code(std::initializer_list<uint8_t> code) {
    std::copy(code.begin(), code.end(), ram_.data() + kCode);
  }

  // Runs to the next exit and returns its reason.
  uint32_t run() {
    auto status = vcpu_->run();
    EXPECT_TRUE(status.ok()) << status.error().describe();
    return vcpu_->run_struct()->exit_reason;
  }

  void expect_out(uint16_t port, uint8_t value) {
    ASSERT_EQ(run(), static_cast<uint32_t>(KVM_EXIT_IO));
    const kvm_run* r = vcpu_->run_struct();
    EXPECT_EQ(r->io.direction, KVM_EXIT_IO_OUT);
    EXPECT_EQ(r->io.port, port);
    EXPECT_EQ(r->io.size, 1);
    EXPECT_EQ(r->io.count, 1u);
    EXPECT_EQ(reinterpret_cast<const uint8_t*>(r)[r->io.data_offset], value);
  }

  // DS = 0x1000, so [ds:0] is guest-physical kExtra.
  void point_ds_at_extra() {
    auto sregs = vcpu_->get_sregs();
    ASSERT_TRUE(sregs.ok());
    sregs->ds.selector = kExtra >> 4;
    sregs->ds.base = kExtra;
    ASSERT_TRUE(vcpu_->set_sregs(*sregs).ok());
  }

  // True when a slot can be added at kExtra, i.e. none is there now.
  bool extra_gpa_is_free() {
    auto probe = vm_->add_memory_slot(7, kExtra, 0x1000, probe_page_.data(), false);
    return probe.ok();
  }

  std::optional<VmFd> vm_;
  Mapping ram_;
  Mapping probe_page_ = anonymous(0x1000);
  MemorySlot ram_slot_;
  std::optional<VcpuFd> vcpu_;
};

TEST_F(RealModeGuest, OutThenHltExitToTheVmm) {
  load_code({0xb0, 0x42,  // mov al, 0x42
             0xe6, 0x10,  // out 0x10, al
             0xf4});      // hlt
  expect_out(0x10, 0x42);
  EXPECT_EQ(run(), static_cast<uint32_t>(KVM_EXIT_HLT));
  auto regs = vcpu_->get_regs();
  ASSERT_TRUE(regs.ok());
  EXPECT_EQ(regs->rip, kCode + 5);
}

TEST_F(RealModeGuest, ReadonlySlotReadsButWritesExitAsMmio) {
  auto readonly_mem = kvm().check_extension(KVM_CAP_READONLY_MEM);
  ASSERT_TRUE(readonly_mem.ok());
  if (*readonly_mem == 0) {
    GTEST_SKIP() << "KVM_CAP_READONLY_MEM is not offered by this KVM";
  }
  Mapping rom = anonymous(0x1000);
  rom.data()[1] = 0x77;
  auto slot = vm_->add_memory_slot(1, kExtra, 0x1000, rom.data(), true);
  ASSERT_TRUE(slot.ok()) << slot.error().describe();
  EXPECT_TRUE(slot->readonly());
  point_ds_at_extra();
  load_code({0xa0, 0x01, 0x00,              // mov al, [1]
             0xe6, 0x10,                    // out 0x10, al
             0xc6, 0x06, 0x00, 0x00, 0x55,  // mov byte [0], 0x55
             0xf4});                        // hlt
  expect_out(0x10, 0x77);
  ASSERT_EQ(run(), static_cast<uint32_t>(KVM_EXIT_MMIO));
  const kvm_run* r = vcpu_->run_struct();
  EXPECT_EQ(r->mmio.phys_addr, kExtra);
  EXPECT_EQ(r->mmio.is_write, 1);
  EXPECT_EQ(r->mmio.len, 1u);
  EXPECT_EQ(r->mmio.data[0], 0x55);
  EXPECT_EQ(run(), static_cast<uint32_t>(KVM_EXIT_HLT));
  EXPECT_EQ(rom.data()[0], 0) << "the guest's write must not reach read-only memory";
}

TEST_F(RealModeGuest, DestroyedSlotIsRemovedFromTheGuest) {
  Mapping page = anonymous(0x1000);
  page.data()[0] = 0x99;
  point_ds_at_extra();
  load_code({0xa0, 0x00, 0x00,  // mov al, [0]
             0xe6, 0x10,        // out 0x10, al
             0xf4});            // hlt
  {
    auto slot = vm_->add_memory_slot(1, kExtra, 0x1000, page.data(), false);
    ASSERT_TRUE(slot.ok()) << slot.error().describe();
    expect_out(0x10, 0x99);
  }
  // The slot is gone: the same read now reaches the VMM as MMIO.
  enter_real_mode(*vcpu_, kCode);
  point_ds_at_extra();
  ASSERT_EQ(run(), static_cast<uint32_t>(KVM_EXIT_MMIO));
  EXPECT_EQ(vcpu_->run_struct()->mmio.phys_addr, kExtra);
  EXPECT_EQ(vcpu_->run_struct()->mmio.is_write, 0);
}

TEST_F(RealModeGuest, OverlappingSlotIsRefusedNamingIt) {
  Mapping page = anonymous(0x1000);
  auto overlap = vm_->add_memory_slot(1, 0x8000, 0x1000, page.data(), false);
  ASSERT_FALSE(overlap.ok());
  EXPECT_EQ(overlap.error().err, EEXIST);
  EXPECT_EQ(overlap.error().message, "KVM_SET_USER_MEMORY_REGION slot 1 gpa 0x8000 size 0x1000");
}

TEST_F(RealModeGuest, MovedSlotIsRemovedOnceByItsLastOwner) {
  Mapping page = anonymous(0x1000);
  auto added = vm_->add_memory_slot(1, kExtra, 0x1000, page.data(), false);
  ASSERT_TRUE(added.ok());
  MemorySlot first = std::move(added).value();
  {
    MemorySlot second = std::move(first);
    EXPECT_FALSE(first.valid());  // NOLINT(bugprone-use-after-move)
    EXPECT_TRUE(second.valid());
    EXPECT_EQ(second.gpa(), kExtra);
    first = MemorySlot();  // destroying the moved-from object removes nothing
    EXPECT_FALSE(extra_gpa_is_free());
  }
  EXPECT_TRUE(extra_gpa_is_free());
}

TEST_F(RealModeGuest, ReleasedSlotStaysUntilTheVmCloses) {
  Mapping page = anonymous(0x1000);
  {
    auto slot = vm_->add_memory_slot(1, kExtra, 0x1000, page.data(), false);
    ASSERT_TRUE(slot.ok());
    slot->release();
    EXPECT_FALSE(slot->valid());
  }
  EXPECT_FALSE(extra_gpa_is_free());
}

TEST_F(RealModeGuest, ImmediateExitReturnsEintr) {
  load_code({0xb0, 0x42, 0xe6, 0x10, 0xf4});
  vcpu_->set_immediate_exit(true);
  auto status = vcpu_->run();
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().err, EINTR);
  EXPECT_EQ(status.error().message, "KVM_RUN (vCPU 0) interrupted");
  vcpu_->set_immediate_exit(false);
  expect_out(0x10, 0x42);
}

TEST_F(RealModeGuest, MovedFromVcpuAndVmHaveNothingLeft) {
  VcpuFd moved = std::move(*vcpu_);
  EXPECT_EQ(vcpu_->run_struct(), nullptr);
  EXPECT_EQ(vcpu_->fd(), -1);
  auto status = vcpu_->run();
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().err, EBADF);
  vcpu_->set_immediate_exit(true);  // harmless without a kvm_run

  VmFd vm = std::move(*vm_);
  EXPECT_EQ(vm_->fd(), -1);
  EXPECT_FALSE(vm_->create_irqchip().ok());

  load_code({0xb0, 0x42, 0xe6, 0x10, 0xf4});
  ASSERT_TRUE(moved.run().ok());
  EXPECT_EQ(moved.run_struct()->exit_reason, static_cast<uint32_t>(KVM_EXIT_IO));
}

class IrqchipVm : public testing::KvmTest {};

TEST_F(IrqchipVm, IrqchipAndClockRoundTrip) {
  auto vm = kvm().create_vm();
  ASSERT_TRUE(vm.ok());
  ASSERT_TRUE(vm->set_tss_addr(0xfffbd000).ok());
  ASSERT_TRUE(vm->set_identity_map_addr(0xfffbc000).ok());
  auto chip = vm->get_irqchip(KVM_IRQCHIP_PIC_MASTER);
  ASSERT_FALSE(chip.ok()) << "no irqchip yet";
  EXPECT_EQ(chip.error().message, "KVM_GET_IRQCHIP 0");
  ASSERT_TRUE(vm->create_irqchip().ok());
  for (uint32_t id : {KVM_IRQCHIP_PIC_MASTER, KVM_IRQCHIP_PIC_SLAVE, KVM_IRQCHIP_IOAPIC}) {
    auto state = vm->get_irqchip(id);
    ASSERT_TRUE(state.ok()) << state.error().describe();
    EXPECT_EQ(state->chip_id, id);
    EXPECT_TRUE(vm->set_irqchip(*state).ok());
  }
  ASSERT_TRUE(vm->irq_line(4, true).ok());
  ASSERT_TRUE(vm->irq_line(4, false).ok());
  auto clock = vm->get_clock();
  ASSERT_TRUE(clock.ok()) << clock.error().describe();
  kvm_clock_data later{};
  later.clock = clock->clock + 1'000'000'000;
  ASSERT_TRUE(vm->set_clock(later).ok());
  auto after = vm->get_clock();
  ASSERT_TRUE(after.ok());
  EXPECT_GE(after->clock, later.clock);
  auto split = vm->check_extension(KVM_CAP_SPLIT_IRQCHIP);
  EXPECT_TRUE(split.ok());
}

}  // namespace
}  // namespace mimeo::kvm

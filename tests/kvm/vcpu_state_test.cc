// Saving a paused guest's vCPU (and RAM) and writing it back makes the guest
// continue from the saved point, on real KVM.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "guest_session.h"

namespace mimeo::testing {
namespace {

TEST(VcpuState, RestoringSavedStateAndRamReturnsTheGuestToThatPoint) {
  if (!have_kvm()) {
    GTEST_SKIP() << "/dev/kvm is not available";
  }
  GuestSession guest;
  ASSERT_TRUE(guest.boot(guest_args({"-m", "64M"})).ok());
  ASSERT_EQ(guest.ask("write 0x1000000 0x11"), "ok");

  ASSERT_TRUE(guest.machine->pause().ok());
  auto saved = guest.machine->save_vcpus();
  ASSERT_TRUE(saved.ok()) << saved.error().describe();
  ASSERT_EQ(saved->size(), 1U);
  EXPECT_FALSE(saved->front().msrs.empty());
  const auto& region = guest.machine->memory().regions().front();
  std::vector<uint8_t> ram(region.host, region.host + region.size);

  ASSERT_TRUE(guest.machine->resume().ok());
  ASSERT_EQ(guest.ask("write 0x1000000 0x22"), "ok");
  ASSERT_EQ(guest.ask("read 0x1000000"), "0x0000000000000022");

  ASSERT_TRUE(guest.machine->pause().ok());
  std::memcpy(region.host, ram.data(), ram.size());
  auto restored = guest.machine->restore_vcpus(*saved);
  ASSERT_TRUE(restored.ok()) << restored.error().describe();
  ASSERT_TRUE(guest.machine->resume().ok());
  EXPECT_EQ(guest.ask("read 0x1000000"), "0x0000000000000011");
  EXPECT_EQ(guest.ask("ping"), "pong");
}

TEST(VcpuState, SavingARunningVmIsRefused) {
  if (!have_kvm()) {
    GTEST_SKIP() << "/dev/kvm is not available";
  }
  GuestSession guest;
  ASSERT_TRUE(guest.boot(guest_args({"-m", "64M"})).ok());
  auto saved = guest.machine->save_vcpus();
  ASSERT_FALSE(saved.ok());
  EXPECT_EQ(saved.error().message, "save: the VM is running; pause it first");
}

}  // namespace
}  // namespace mimeo::testing

// Shared set-up for the tests that need the real /dev/kvm: they skip, saying
// why, when the device is missing or inaccessible.
#pragma once

#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <span>
#include <string>

#include "base/mapping.h"
#include "kvm/kvm.h"

namespace mimeo::kvm::testing {

class KvmTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::access("/dev/kvm", R_OK | W_OK) != 0) {
      GTEST_SKIP() << "needs /dev/kvm, which is not usable here: " << std::strerror(errno);
    }
    auto kvm = Kvm::open();
    ASSERT_TRUE(kvm.ok()) << kvm.error().describe();
    kvm_.emplace(std::move(kvm).value());
  }

  Kvm& kvm() { return *kvm_; }

  // Anonymous read/write memory to back guest RAM.
  static Mapping anonymous(size_t size) {
    auto m = Mapping::map(size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0,
                          "test guest memory");
    EXPECT_TRUE(m.ok()) << m.error().describe();
    return m.ok() ? std::move(m).value() : Mapping();
  }

  // Points a vCPU at real-mode code at `rip` with CS = DS = 0 (flat first 64 KiB).
  static void enter_real_mode(VcpuFd& vcpu, uint64_t rip) {
    auto sregs = vcpu.get_sregs();
    ASSERT_TRUE(sregs.ok()) << sregs.error().describe();
    sregs->cs.base = 0;
    sregs->cs.selector = 0;
    sregs->ds.base = 0;
    sregs->ds.selector = 0;
    ASSERT_TRUE(vcpu.set_sregs(*sregs).ok());
    kvm_regs regs{};
    regs.rip = rip;
    regs.rflags = 0x2;
    ASSERT_TRUE(vcpu.set_regs(regs).ok());
  }

  std::optional<Kvm> kvm_;
};

}  // namespace mimeo::kvm::testing

#include "kvm/kvm.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>

#include "kvm_fixture.h"

namespace mimeo::kvm {
namespace {

using testing::KvmTest;

TEST(KvmOpen, MissingDeviceSaysKvmIsNotAvailable) {
  auto kvm = Kvm::open("/nonexistent/kvm");
  ASSERT_FALSE(kvm.ok());
  EXPECT_EQ(kvm.error().err, ENOENT);
  EXPECT_NE(kvm.error().message.find("/nonexistent/kvm does not exist: KVM is not available"),
            std::string::npos)
      << kvm.error().message;
}

TEST(KvmOpen, NonKvmFileIsRejected) {
  // A regular file opens but answers no KVM ioctl.
  char path[] = "/tmp/mimeo-not-kvm-XXXXXX";
  const int fd = ::mkstemp(path);
  ASSERT_GE(fd, 0);
  ::close(fd);
  auto kvm = Kvm::open(path);
  ::unlink(path);
  ASSERT_FALSE(kvm.ok());
  EXPECT_EQ(kvm.error().message, std::string(path) + ": KVM_GET_API_VERSION");
  EXPECT_EQ(kvm.error().err, ENOTTY);
}

TEST_F(KvmTest, ReportsCapabilitiesAndVcpuMmapSize) {
  auto user_memory = kvm().check_extension(KVM_CAP_USER_MEMORY);
  ASSERT_TRUE(user_memory.ok()) << user_memory.error().describe();
  EXPECT_GT(*user_memory, 0);
  auto size = kvm().vcpu_mmap_size();
  ASSERT_TRUE(size.ok());
  EXPECT_GE(*size, sizeof(kvm_run));
}

TEST_F(KvmTest, SupportedCpuidHasTheVendorLeaf) {
  auto cpuid = kvm().supported_cpuid();
  ASSERT_TRUE(cpuid.ok()) << cpuid.error().describe();
  auto leaf0 = std::find_if(cpuid->begin(), cpuid->end(),
                            [](const kvm_cpuid_entry2& e) { return e.function == 0; });
  ASSERT_NE(leaf0, cpuid->end());
  EXPECT_GE(leaf0->eax, 1u);  // at least leaf 1
  EXPECT_NE(leaf0->ebx, 0u);  // vendor string
  auto leaf1 = std::find_if(cpuid->begin(), cpuid->end(),
                            [](const kvm_cpuid_entry2& e) { return e.function == 1; });
  ASSERT_NE(leaf1, cpuid->end());
  EXPECT_NE(leaf1->edx & (1u << 0), 0u) << "FPU bit";
}

TEST_F(KvmTest, MsrIndexListHasTheTsc) {
  auto msrs = kvm().msr_index_list();
  ASSERT_TRUE(msrs.ok()) << msrs.error().describe();
  EXPECT_NE(std::find(msrs->begin(), msrs->end(), 0x10u), msrs->end()) << "IA32_TIME_STAMP_COUNTER";
}

TEST_F(KvmTest, MovedFromKvmHasNoFd) {
  Kvm moved = std::move(kvm());
  EXPECT_GE(moved.fd(), 0);
  EXPECT_EQ(kvm().fd(), -1);  // NOLINT(bugprone-use-after-move): the point of the test
  auto cap = kvm().check_extension(KVM_CAP_USER_MEMORY);
  ASSERT_FALSE(cap.ok());
  EXPECT_EQ(cap.error().err, EBADF);
  EXPECT_TRUE(moved.create_vm().ok());
}

}  // namespace
}  // namespace mimeo::kvm

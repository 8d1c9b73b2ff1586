// Boots the project's test guest (guest/, both images) with the loaders and
// vCPU set-up of this layer on a real vCPU, and asks it on COM1 which memory
// map and command line it was given. The VMM's devices are not used: a minimal
// UART is answered here (transmit always ready, receive from a string), every
// other port reads 0; the in-kernel LAPIC timer wakes the guest from hlt.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "arch/x86/boot.h"
#include "arch/x86/cpuid.h"
#include "arch/x86/vcpu_setup.h"
#include "unit/kvm/kvm_fixture.h"

namespace mimeo::x86 {
namespace {

constexpr uint64_t kRamSize = 64ULL << 20;
constexpr uint16_t kCom1 = 0x3f8;
constexpr uint16_t kCom1LineStatus = kCom1 + 5;
constexpr uint8_t kTransmitterEmpty = 0x60;
constexpr uint8_t kDataReady = 0x01;
constexpr unsigned kTimeoutSeconds = 20;

class TestGuestBoot : public kvm::testing::KvmTest,
                      public ::testing::WithParamInterface<const char*> {};

// Runs the boot vCPU, typing `input` once the guest is ready, and returns what
// it wrote to COM1 when `last_answer` has appeared (or on a failure or timeout).
std::string converse(kvm::VcpuFd& vcpu, std::string input, std::string_view last_answer) {
  // SIGALRM without SA_RESTART makes a KVM_RUN stuck in hlt return EINTR.
  struct sigaction action {};
  action.sa_handler = [](int) {};
  sigaction(SIGALRM, &action, nullptr);
  alarm(kTimeoutSeconds);
  std::string console;
  bool ready = false;
  size_t typed = 0;
  while (true) {
    auto status = vcpu.run();
    if (!status.ok()) {
      ADD_FAILURE() << status.error().describe() << " after console output \"" << console << "\"";
      break;
    }
    kvm_run* run = vcpu.run_struct();
    if (run->exit_reason == KVM_EXIT_MMIO) {
      if (!run->mmio.is_write) {
        std::memset(run->mmio.data, 0, sizeof(run->mmio.data));
      }
      continue;
    }
    if (run->exit_reason != KVM_EXIT_IO) {
      ADD_FAILURE() << "exit reason " << run->exit_reason << " after console output \"" << console
                    << "\"";
      break;
    }
    auto* data = reinterpret_cast<uint8_t*>(run) + run->io.data_offset;
    if (run->io.direction == KVM_EXIT_IO_OUT) {
      if (run->io.port == kCom1) {
        console.append(reinterpret_cast<const char*>(data), run->io.size * run->io.count);
        ready = ready || console.find("mimeo-guest ready") != std::string::npos;
        const size_t answer = console.find(last_answer);
        if (answer != std::string::npos && console.find('\n', answer) != std::string::npos) {
          break;
        }
      }
      continue;
    }
    std::memset(data, 0, run->io.size * run->io.count);
    const bool have_input = ready && typed < input.size();
    if (run->io.port == kCom1LineStatus) {
      data[0] = kTransmitterEmpty | (have_input ? kDataReady : 0);
    } else if (run->io.port == kCom1 && have_input) {
      data[0] = static_cast<uint8_t>(input[typed++]);
    }
  }
  alarm(0);
  return console;
}

TEST_P(TestGuestBoot, SeesItsCommandLineAndMemoryMap) {
  const std::filesystem::path path = GetParam();
  if (!std::filesystem::exists(path)) {
    GTEST_SKIP() << path << " is not built (target guest)";
  }
  std::ifstream file(path, std::ios::binary);
  const std::vector<uint8_t> image((std::istreambuf_iterator<char>(file)),
                                   std::istreambuf_iterator<char>());

  auto vm = kvm().create_vm();
  ASSERT_TRUE(vm.ok());
  Mapping ram = anonymous(kRamSize);
  auto slot = vm->add_memory_slot(0, 0, kRamSize, ram.data(), false);
  ASSERT_TRUE(slot.ok()) << slot.error().describe();
  ASSERT_TRUE(vm->create_irqchip().ok());
  ASSERT_TRUE(vm->set_tss_addr(0xfffbd000).ok());
  GuestRam guest = guest_ram_over(std::span(ram.data(), ram.size()));

  auto boot = load_kernel(image, {"console=ttyS0", {}}, guest);
  ASSERT_TRUE(boot.ok()) << path << ": " << boot.error().describe();

  auto supported = kvm().supported_cpuid();
  ASSERT_TRUE(supported.ok());
  auto deadline = kvm().check_extension(KVM_CAP_TSC_DEADLINE_TIMER);
  ASSERT_TRUE(deadline.ok());
  auto model = parse_cpu_option("host,-cx16");
  ASSERT_TRUE(model.ok());
  auto cpuid = build_cpuid(*supported, {*model, 1, *deadline > 0});
  ASSERT_TRUE(cpuid.ok()) << cpuid.error().describe();
  auto size = kvm().vcpu_mmap_size();
  ASSERT_TRUE(size.ok());
  auto vcpu = vm->create_vcpu(0, *size);
  ASSERT_TRUE(vcpu.ok());
  ASSERT_TRUE(vcpu->set_cpuid2(cpuid_for_vcpu(*cpuid, 0)).ok());
  auto common = setup_common_vcpu_state(*vcpu, true);
  ASSERT_TRUE(common.ok()) << common.error().describe();
  ASSERT_TRUE(setup_boot_vcpu(*vcpu, guest, *boot).ok());

  const std::string console = converse(*vcpu, "cmdline\nmem\n", "mem ");
  EXPECT_NE(console.find("mimeo-guest ready"), std::string::npos) << console;
  EXPECT_EQ(console.find("warning"), std::string::npos) << console;
  EXPECT_NE(console.find("cmdline console=ttyS0"), std::string::npos) << console;
  // The memory map the loader wrote: low RAM, the legacy hole, the rest.
  EXPECT_NE(console.find("mem 0x0-0x9fc00:1 0x9fc00-0x100000:2 0x100000-0x4000000:1"),
            std::string::npos)
      << console;
}

INSTANTIATE_TEST_SUITE_P(BothImages, TestGuestBoot,
                         ::testing::Values(MIMEO_GUEST_ELF, MIMEO_GUEST_BZIMAGE));

}  // namespace
}  // namespace mimeo::x86

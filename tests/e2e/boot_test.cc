// `mimeo run` boots the test guest with each memory backend and both image
// formats, and the guest answers on stdio; SMP and NUMA machines boot.
#include <gtest/gtest.h>

#include "e2e/mimeo_process.h"
#include "e2e/test_files.h"

namespace mimeo::e2e {
namespace {

constexpr uint64_t kMiB = 1ULL << 20;
constexpr uint64_t kGolden = 0x9E3779B97F4A7C15ULL;

// What `sum` answers after `dirty MB SEED` (docs/guest.md).
std::string expected_sum(uint64_t mb, uint64_t seed) {
  uint64_t sum = 0;
  for (uint64_t i = 0; i < mb; ++i) {
    sum += (kMiB / 8) * (seed * kGolden + i);
  }
  char text[32];
  std::snprintf(text, sizeof text, "sum 0x%016llx", static_cast<unsigned long long>(sum));
  return text;
}

struct BootCase {
  std::string name;
  std::string kernel;
  // Memory options; "DIR" is replaced by a temporary directory.
  std::vector<std::string> memory;
};
// The name alone, so test listings stay readable.
void PrintTo(const BootCase& c, std::ostream* os) { *os << c.name; }

std::vector<std::string> in_dir(std::vector<std::string> args, const std::string& dir) {
  for (auto& arg : args) {
    for (size_t at; (at = arg.find("DIR")) != std::string::npos;) {
      arg.replace(at, 3, dir);
    }
  }
  return args;
}

class Boot : public ::testing::TestWithParam<BootCase> {};

TEST_P(Boot, GuestAnswersOnStdioAndItsExitCodeIsTheStatus) {
  TempDir dir;
  const BootCase& c = GetParam();
  auto vm = MimeoProcess::run(guest_args(c.kernel) + in_dir(c.memory, dir.path()) +
                              std::vector<std::string>{"-append", "hello from e2e"});
  ASSERT_TRUE(vm);
  ASSERT_TRUE(vm->wait_ready()) << "stdout: " << vm->console().text()
                                << "\nstderr: " << vm->stderr_text();
  LineChannel& console = vm->console();
  EXPECT_EQ(ask(console, "ping"), "pong");
  EXPECT_EQ(ask(console, "cmdline"), "cmdline hello from e2e");
  EXPECT_EQ(ask(console, "write 0x2000000 0x1122334455667788"), "ok");
  EXPECT_EQ(ask(console, "read 0x2000000"), "0x1122334455667788");
  EXPECT_EQ(ask(console, "dirty 1 3"), "dirtied 1 MiB");
  EXPECT_EQ(ask(console, "sum"), expected_sum(1, 3));
  EXPECT_EQ(ask(console, "exit 5"), "exiting 5");
  EXPECT_EQ(vm->wait_exit(), 11);
  EXPECT_EQ(vm->stderr_text(), "mimeo: guest exited through isa-debug-exit with status 11\n");
}

INSTANTIATE_TEST_SUITE_P(
    Backends, Boot,
    ::testing::Values(
        BootCase{"ImplicitRam", MIMEO_GUEST_ELF, {"-m", "64M"}},
        BootCase{"Ram",
                 MIMEO_GUEST_ELF,
                 {"-object", "memory-backend-ram,id=pc.ram,size=64M", "-machine",
                  "microvm,memory-backend=pc.ram"}},
        BootCase{"FileShared",
                 MIMEO_GUEST_ELF,
                 {"-object", "memory-backend-file,id=pc.ram,mem-path=DIR/ram,size=64M,share=on",
                  "-machine", "microvm,memory-backend=pc.ram"}},
        BootCase{"Memfd",
                 MIMEO_GUEST_ELF,
                 {"-object", "memory-backend-memfd,id=pc.ram,size=64M", "-machine",
                  "microvm,memory-backend=pc.ram"}},
        BootCase{"BzImage", MIMEO_GUEST_BZIMAGE, {"-m", "64M"}},
        BootCase{"BzImageOnFile",
                 MIMEO_GUEST_BZIMAGE,
                 {"-object", "memory-backend-file,id=pc.ram,mem-path=DIR/ram,size=64M,share=on",
                  "-machine", "microvm,memory-backend=pc.ram"}}),
    [](const auto& param_info) { return param_info.param.name; });

TEST(BootOptions, TwoVcpus) {
  auto vm = MimeoProcess::run(guest_args() + std::vector<std::string>{"-m", "64M", "-smp", "2"});
  ASSERT_TRUE(vm);
  ASSERT_TRUE(vm->wait_ready()) << vm->stderr_text();
  EXPECT_EQ(ask(vm->console(), "ping"), "pong");
  EXPECT_EQ(ask(vm->console(), "exit 0"), "exiting 0");
  EXPECT_EQ(vm->wait_exit(), 1);
  EXPECT_EQ(vm->stderr_text(), "mimeo: guest exited through isa-debug-exit with status 1\n");
}

TEST(BootOptions, NumaNodesAppearInTheGuestMemoryMap) {
  auto vm = MimeoProcess::run(
      guest_args() + std::vector<std::string>{"-object", "memory-backend-ram,id=m0,size=64M",
                                              "-object", "memory-backend-memfd,id=m1,size=32M",
                                              "-numa", "node,memdev=m0", "-numa", "node,memdev=m1",
                                              "-m", "96M"});
  ASSERT_TRUE(vm);
  ASSERT_TRUE(vm->wait_ready()) << vm->stderr_text();
  // Node 0 from 0 (around the legacy hole), node 1 at the next 1 GiB boundary
  // (docs/memory.md, "Guest-physical layout").
  EXPECT_EQ(ask(vm->console(), "mem"),
            "mem 0x0-0x9fc00:1 0x9fc00-0x100000:2 0x100000-0x4000000:1 "
            "0x40000000-0x42000000:1");
  // Node 1 is RAM the guest can use.
  EXPECT_EQ(ask(vm->console(), "write 0x41fffff8 0xfeedface"), "ok");
  EXPECT_EQ(ask(vm->console(), "read 0x41fffff8"), "0x00000000feedface");
  EXPECT_EQ(ask(vm->console(), "exit 2"), "exiting 2");
  EXPECT_EQ(vm->wait_exit(), 5);
}

}  // namespace
}  // namespace mimeo::e2e

// Boots the test guest in-process on real KVM with each memory backend and
// boot protocol, and talks to it over COM1.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "guest_session.h"
#include "test_files.h"

namespace mimeo::testing {
namespace {

uint64_t read_u64_from_file(const std::string& path, uint64_t offset) {
  uint64_t value = 0;
  int fd = ::open(path.c_str(), O_RDONLY);
  EXPECT_GE(fd, 0);
  EXPECT_EQ(::pread(fd, &value, sizeof value, static_cast<off_t>(offset)), 8);
  ::close(fd);
  return value;
}

class MachineBoot : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!have_kvm()) {
      GTEST_SKIP() << "/dev/kvm is not available";
    }
  }
};

TEST_F(MachineBoot, AnswersOnItsConsoleAndExitsWithAStatus) {
  GuestSession guest;
  ASSERT_TRUE(guest.boot(guest_args({"-m", "64M"})).ok());
  EXPECT_EQ(guest.ask("ping"), "pong");
  EXPECT_EQ(guest.ask("write 0x1000000 0xfeedface"), "ok");
  EXPECT_EQ(guest.ask("read 0x1000000"), "0x00000000feedface");
  guest.console->send("exit 4\n");
  vmm::ExitReport report = guest.machine->wait();
  EXPECT_EQ(report.kind, vmm::ExitKind::kGuestExit);
  EXPECT_EQ(report.status, 9);
  EXPECT_EQ(vmm::process_status(report), 9);
}

TEST_F(MachineBoot, BootsTheBzImageThroughThe64BitBootProtocol) {
  GuestSession guest;
  ASSERT_TRUE(
      guest.boot(guest_args({"-m", "64M", "-append", "hello=bz"}, MIMEO_GUEST_BZIMAGE)).ok());
  EXPECT_EQ(guest.ask("cmdline"), "cmdline hello=bz");
  EXPECT_EQ(guest.ask("ping"), "pong");
}

TEST_F(MachineBoot, PassesTheCommandLineAndMemoryMapThroughPvh) {
  GuestSession guest;
  ASSERT_TRUE(guest.boot(guest_args({"-m", "64M", "-append", "console=ttyS0 x=1"})).ok());
  EXPECT_EQ(guest.ask("cmdline"), "cmdline console=ttyS0 x=1");
  EXPECT_EQ(guest.ask("mem"), "mem 0x0-0x9fc00:1 0x9fc00-0x100000:2 0x100000-0x4000000:1");
}

TEST_F(MachineBoot, RamBackendDirtyAndSumAgree) {
  GuestSession guest;
  ASSERT_TRUE(guest
                  .boot(guest_args({"-object", "memory-backend-ram,id=m,size=64M", "-machine",
                                    "microvm,memory-backend=m"}))
                  .ok());
  EXPECT_EQ(guest.ask("dirty 1 3"), "dirtied 1 MiB");
  std::string first = guest.ask("sum");
  EXPECT_TRUE(first.starts_with("sum 0x")) << first;
  EXPECT_EQ(guest.ask("sum"), first);
  EXPECT_EQ(guest.ask("dirty 1 4"), "dirtied 1 MiB");
  EXPECT_NE(guest.ask("sum"), first);
}

TEST_F(MachineBoot, MemfdBackendBoots) {
  GuestSession guest;
  ASSERT_TRUE(guest
                  .boot(guest_args({"-object", "memory-backend-memfd,id=m,size=64M", "-machine",
                                    "microvm,memory-backend=m"}))
                  .ok());
  EXPECT_EQ(guest.ask("ping"), "pong");
}

// The templating document's template configuration: after the VM stopped, its
// RAM file holds what the guest wrote.
TEST_F(MachineBoot, SharedFileBackendLeavesGuestMemoryInTheFile) {
  TempDir dir;
  const std::string file = dir.path() + "/template";
  {
    GuestSession guest;
    ASSERT_TRUE(guest
                    .boot(guest_args(
                        {"-m", "64M", "-object",
                         "memory-backend-file,id=pc.ram,mem-path=" + file + ",size=64M,share=on",
                         "-machine", "microvm,memory-backend=pc.ram"}))
                    .ok());
    EXPECT_EQ(guest.ask("write 0x3000000 0x1122334455667788"), "ok");
    guest.console->send("exit 0\n");
    EXPECT_EQ(guest.machine->wait().kind, vmm::ExitKind::kGuestExit);
  }
  EXPECT_EQ(std::filesystem::file_size(file), 64U << 20);
  EXPECT_EQ(read_u64_from_file(file, 0x3000000), 0x1122334455667788U);
}

// The clone configuration: readonly=on,rom=off maps the file privately; the
// guest sees the template's bytes, writes its own, and the file never changes.
TEST_F(MachineBoot, PrivateReadonlyFileIsCopyOnWrite) {
  TempDir dir;
  const std::string file = dir.path() + "/template";
  {
    std::ofstream out(file, std::ios::binary);
    std::vector<char> zeros(64 << 20, 0);
    uint64_t marker = 0xabcdef0123456789ULL;
    std::memcpy(zeros.data() + 0x3000000, &marker, sizeof marker);
    out.write(zeros.data(), static_cast<std::streamsize>(zeros.size()));
  }
  ::chmod(file.c_str(), 0444);
  GuestSession guest;
  ASSERT_TRUE(guest
                  .boot(guest_args({"-object",
                                    "memory-backend-file,id=pc.ram,mem-path=" + file +
                                        ",size=64M,readonly=on,rom=off",
                                    "-machine", "microvm,memory-backend=pc.ram"}))
                  .ok());
  EXPECT_EQ(guest.ask("read 0x3000000"), "0xabcdef0123456789");
  EXPECT_EQ(guest.ask("write 0x3000000 0x42"), "ok");
  EXPECT_EQ(guest.ask("read 0x3000000"), "0x0000000000000042");
  guest.console->send("exit 0\n");
  guest.machine->wait();
  EXPECT_EQ(read_u64_from_file(file, 0x3000000), 0xabcdef0123456789U);
}

TEST_F(MachineBoot, TwoVcpusBoot) {
  GuestSession guest;
  ASSERT_TRUE(guest.boot(guest_args({"-m", "64M", "-smp", "2"})).ok());
  EXPECT_EQ(guest.ask("ping"), "pong");
}

TEST_F(MachineBoot, NumaBackendsAreEachTheirOwnRange) {
  GuestSession guest;
  ASSERT_TRUE(guest
                  .boot(guest_args({"-m", "96M", "-object", "memory-backend-ram,id=m0,size=64M",
                                    "-object", "memory-backend-memfd,id=m1,size=32M", "-numa",
                                    "node,memdev=m0", "-numa", "node,memdev=m1"}))
                  .ok());
  const auto& regions = guest.machine->memory().regions();
  ASSERT_EQ(regions.size(), 2U);
  EXPECT_EQ(regions[1].gpa, 1ULL << 30);
  EXPECT_EQ(guest.ask("mem"),
            "mem 0x0-0x9fc00:1 0x9fc00-0x100000:2 0x100000-0x4000000:1 0x40000000-0x42000000:1");
  EXPECT_EQ(guest.ask("write 0x40001000 0x77"), "ok");
  EXPECT_EQ(guest.ask("read 0x40001000"), "0x0000000000000077");
}

TEST_F(MachineBoot, PausedVmMakesNoProgressAndResumes) {
  GuestSession guest;
  ASSERT_TRUE(guest.boot(guest_args({"-m", "64M"})).ok());
  ASSERT_TRUE(guest.machine->pause().ok());
  EXPECT_EQ(guest.machine->state(), vmm::RunState::kPaused);
  guest.console->send("ping\n");
  EXPECT_FALSE(guest.console->next_line(std::chrono::milliseconds(300)).has_value());
  ASSERT_TRUE(guest.machine->resume().ok());
  EXPECT_EQ(guest.console->next_line(std::chrono::seconds(30)), "pong");
}

TEST_F(MachineBoot, StartPausedRunsOnlyAfterResume) {
  GuestSession guest;
  auto options = cli::parse_run_options(guest_args({"-m", "64M"}));
  ASSERT_TRUE(options.ok());
  auto plan = cli::build_run_plan(*options);
  ASSERT_TRUE(plan.ok());
  plan->machine.start_paused = true;
  vmm::MachineIo io;
  io.serial = guest.console;
  auto created = vmm::Machine::create(plan->machine, io);
  ASSERT_TRUE(created.ok()) << created.error().describe();
  guest.machine = std::move(created.value());
  ASSERT_TRUE(guest.machine->start().ok());
  EXPECT_EQ(guest.machine->state(), vmm::RunState::kPaused);
  EXPECT_FALSE(guest.console->next_line(std::chrono::milliseconds(200)).has_value());
  ASSERT_TRUE(guest.machine->resume().ok());
  EXPECT_TRUE(guest.wait_ready());
}

TEST_F(MachineBoot, RequestStopEndsTheVm) {
  GuestSession guest;
  ASSERT_TRUE(guest.boot(guest_args({"-m", "64M"})).ok());
  guest.machine->request_stop("test");
  vmm::ExitReport report = guest.machine->wait();
  EXPECT_EQ(report.kind, vmm::ExitKind::kQuit);
  EXPECT_EQ(vmm::describe(report), "VM stopped on request: test");
}

}  // namespace
}  // namespace mimeo::testing

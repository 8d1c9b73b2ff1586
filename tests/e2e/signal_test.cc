// SIGTERM, SIGINT and SIGHUP stop the VM cleanly: status 0 and the stop line.
#include <gtest/gtest.h>

#include <csignal>
#include <thread>

#include "e2e/mimeo_process.h"
#include "e2e/test_files.h"
#include "e2e/unix_sockets.h"

namespace mimeo::e2e {
namespace {

struct SignalCase {
  int number;
  std::string name;
};
// The name alone, so test listings stay readable.
void PrintTo(const SignalCase& c, std::ostream* os) { *os << c.name; }

class StopSignal : public ::testing::TestWithParam<SignalCase> {};

TEST_P(StopSignal, StopsTheRunningVmCleanly) {
  TempDir dir;
  const std::string ram = dir.file("ram");
  auto vm = MimeoProcess::run(
      guest_args() + std::vector<std::string>{
                         "-object",
                         "memory-backend-file,id=pc.ram,mem-path=" + ram + ",size=64M,share=on",
                         "-machine", "microvm,memory-backend=pc.ram"});
  ASSERT_TRUE(vm);
  ASSERT_TRUE(vm->wait_ready()) << vm->stderr_text();
  EXPECT_EQ(ask(vm->console(), "write 0x2000000 0x5157"), "ok");
  ASSERT_TRUE(vm->signal(GetParam().number));
  EXPECT_EQ(vm->wait_exit(), 0);
  EXPECT_EQ(vm->stderr_text(), "mimeo: VM stopped on request: " + GetParam().name + "\n");
  // A clean stop keeps the shared RAM file with what the guest wrote.
  EXPECT_EQ(file_state(ram).size, 64U << 20);
  EXPECT_EQ(read_qword(ram, 0x2000000), 0x5157U);
}

INSTANTIATE_TEST_SUITE_P(Signals, StopSignal,
                         ::testing::Values(SignalCase{SIGTERM, "SIGTERM"},
                                           SignalCase{SIGINT, "SIGINT"},
                                           SignalCase{SIGHUP, "SIGHUP"}),
                         [](const auto& param_info) { return param_info.param.name; });

// -serial waiting for its first client cannot be interrupted from inside, yet a
// user must be able to give up with Ctrl-C or SIGTERM.
TEST(StopSignalBeforeStart, WhileSerialWaitsForItsClient) {
  TempDir dir;
  const std::string socket = dir.file("com1.sock");
  auto vm =
      MimeoProcess::run(guest_args() + std::vector<std::string>{"-m", "64M", "-serial",
                                                                "unix:" + socket + ",server=on"});
  ASSERT_TRUE(vm);
  const auto deadline = std::chrono::steady_clock::now() + kBootTimeout;
  while (!file_state(socket).exists && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_TRUE(file_state(socket).exists) << vm->stderr_text();
  ASSERT_TRUE(vm->signal(SIGTERM));
  EXPECT_EQ(vm->wait_exit(), 0);
  EXPECT_EQ(vm->stderr_text(),
            "mimeo: waiting for a connection on unix:" + socket +
                ",server=on\n"
                "mimeo: VM stopped on request: SIGTERM (before it started: -serial was waiting "
                "for its first client)\n");
  EXPECT_FALSE(file_state(socket).exists);  // the listening socket is removed
}

}  // namespace
}  // namespace mimeo::e2e

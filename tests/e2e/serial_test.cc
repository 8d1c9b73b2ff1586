// COM1 on the backends a user can choose: -serial file:, -serial unix: (server,
// no wait), -chardev socket as server (waiting for the client) and as client.
#include <gtest/gtest.h>

#include <csignal>

#include "e2e/mimeo_process.h"
#include "e2e/test_files.h"
#include "e2e/unix_sockets.h"

namespace mimeo::e2e {
namespace {

using std::chrono::milliseconds;

const std::vector<std::string> kMemory = {"-m", "64M"};

// With wait=off the guest may have printed its ready line before the client
// connected (output without a client is dropped): ping until it answers.
bool ping_until_pong(LineChannel& console, milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (!console.send_line("ping")) {
      return false;
    }
    while (auto line = console.next_line(milliseconds(300))) {
      if (*line == "pong") {
        // Earlier pings may still be answered; let those answers pass.
        while (console.next_line(milliseconds(100))) {
        }
        return true;
      }
    }
  }
  return false;
}

// `stderr_before`: what mimeo prints before the stop line.
void talk_and_exit(MimeoProcess& vm, LineChannel& console, const std::string& stderr_before = "") {
  EXPECT_EQ(ask(console, "ping"), "pong");
  EXPECT_EQ(ask(console, "write 0x3000000 0xabcdef"), "ok");
  EXPECT_EQ(ask(console, "read 0x3000000"), "0x0000000000abcdef");
  EXPECT_EQ(ask(console, "exit 5"), "exiting 5");
  EXPECT_EQ(vm.wait_exit(), 11);
  EXPECT_EQ(vm.stderr_text(),
            stderr_before + "mimeo: guest exited through isa-debug-exit with status 11\n");
  EXPECT_EQ(vm.console().text(), "");  // nothing of the guest on stdout
}

TEST(Serial, FileGetsTheGuestOutput) {
  TempDir dir;
  const std::string log = dir.file("console.log");
  write_text(log, "old content\n");
  auto vm = MimeoProcess::run(guest_args() + kMemory +
                              std::vector<std::string>{"-serial", "file:" + log});
  ASSERT_TRUE(vm);
  ASSERT_TRUE(wait_for_text(log, "mimeo-guest ready\n", kBootTimeout))
      << read_text(log) << vm->stderr_text();
  ASSERT_TRUE(vm->signal(SIGTERM));
  EXPECT_EQ(vm->wait_exit(), 0);
  EXPECT_EQ(vm->stderr_text(), "mimeo: VM stopped on request: SIGTERM\n");
  EXPECT_EQ(read_text(log), "mimeo-guest ready\n");  // truncated first, as QEMU does
  EXPECT_EQ(vm->console().text(), "");
}

TEST(Serial, UnixSocketServerWithoutWaiting) {
  TempDir dir;
  const std::string path = dir.file("com1.sock");
  auto vm = MimeoProcess::run(
      guest_args() + kMemory +
      std::vector<std::string>{"-serial", "unix:" + path + ",server=on,wait=off"});
  ASSERT_TRUE(vm);
  UniqueFd fd = connect_unix(path, kBootTimeout);
  ASSERT_TRUE(fd.valid()) << vm->stderr_text();
  LineChannel console(std::move(fd));
  ASSERT_TRUE(ping_until_pong(console, kBootTimeout)) << console.text() << vm->stderr_text();
  talk_and_exit(*vm, console);
}

TEST(Serial, ChardevSocketServerWaitsForItsClient) {
  TempDir dir;
  const std::string path = dir.file("c0.sock");
  auto vm = MimeoProcess::run(guest_args() + kMemory +
                              std::vector<std::string>{"-chardev",
                                                       "socket,id=c0,path=" + path + ",server=on",
                                                       "-serial", "chardev:c0"});
  ASSERT_TRUE(vm);
  UniqueFd fd = connect_unix(path, kBootTimeout);
  ASSERT_TRUE(fd.valid()) << vm->stderr_text();
  LineChannel console(std::move(fd));
  // The VM started only once we were connected, so nothing was lost.
  ASSERT_TRUE(console.wait_for_line("mimeo-guest ready", kBootTimeout))
      << console.text() << vm->stderr_text();
  talk_and_exit(*vm, console, "mimeo: waiting for a connection on unix:" + path + ",server=on\n");
}

TEST(Serial, ChardevSocketClient) {
  TempDir dir;
  const std::string path = dir.file("listen.sock");
  UniqueFd listener = listen_unix(path);
  ASSERT_TRUE(listener.valid());
  auto vm = MimeoProcess::run(
      guest_args() + kMemory +
      std::vector<std::string>{"-chardev", "socket,id=c0,path=" + path, "-serial", "chardev:c0"});
  ASSERT_TRUE(vm);
  UniqueFd fd = accept_unix(listener.get(), kBootTimeout);
  ASSERT_TRUE(fd.valid()) << vm->stderr_text();
  LineChannel console(std::move(fd));
  ASSERT_TRUE(console.wait_for_line("mimeo-guest ready", kBootTimeout))
      << console.text() << vm->stderr_text();
  talk_and_exit(*vm, console);
}

}  // namespace
}  // namespace mimeo::e2e

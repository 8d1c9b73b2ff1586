#include "chardev/stdio_chardev.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <pty.h>
#include <sys/wait.h>
#include <termios.h>

#include <atomic>
#include <csignal>
#include <cstring>

#include "base/unique_fd.h"
#include "test_support.h"

namespace mimeo::chardev {
namespace {

using testing::bytes_of;
using testing::eventually;
using testing::InputCollector;

struct Pipe {
  Pipe() {
    int fds[2];
    EXPECT_EQ(::pipe2(fds, O_CLOEXEC), 0);
    read_end.reset(fds[0]);
    write_end.reset(fds[1]);
  }
  UniqueFd read_end;
  UniqueFd write_end;
};

struct Pty {
  Pty() {
    int m = -1;
    int s = -1;
    EXPECT_EQ(::openpty(&m, &s, nullptr, nullptr, nullptr), 0);
    master.reset(m);
    slave.reset(s);
    EXPECT_EQ(::tcgetattr(s, &original), 0);
  }
  termios current() const {
    termios t{};
    EXPECT_EQ(::tcgetattr(slave.get(), &t), 0);
    return t;
  }
  // Reads what the "terminal" shows until `n` bytes arrived or 5 s passed.
  std::string screen(size_t n) const {
    std::string got;
    while (got.size() < n) {
      pollfd p{master.get(), POLLIN, 0};
      if (::poll(&p, 1, 5000) <= 0) {
        break;
      }
      char buf[256];
      ssize_t r = ::read(master.get(), buf, sizeof buf);
      if (r <= 0) {
        break;
      }
      got.append(buf, static_cast<size_t>(r));
    }
    return got;
  }
  UniqueFd master;
  UniqueFd slave;
  termios original{};
};

std::string read_pipe(int fd, size_t n) {
  std::string got(n, '\0');
  size_t have = 0;
  while (have < n) {
    ssize_t r = ::read(fd, got.data() + have, n - have);
    if (r <= 0) {
      break;
    }
    have += static_cast<size_t>(r);
  }
  got.resize(have);
  return got;
}

TEST(StdioChardev, PipesPassBytesVerbatimUntilEndOfInput) {
  Pipe in;
  Pipe out;
  std::atomic<int> quits{0};
  auto dev =
      StdioChardev::open("", {in.read_end.get(), out.write_end.get(), true, [&] { ++quits; }});
  ASSERT_TRUE(dev.ok()) << dev.error().describe();
  EXPECT_FALSE((*dev)->is_terminal());
  EXPECT_EQ((*dev)->describe(), "stdio");

  InputCollector input;
  ASSERT_TRUE((*dev)->start_input(std::ref(input)).ok());
  const std::string typed = "echo hi\n\x01x\x01\x01";  // no escapes when not a terminal
  ASSERT_EQ(::write(in.write_end.get(), typed.data(), typed.size()),
            static_cast<ssize_t>(typed.size()));
  EXPECT_EQ(input.wait_for(typed.size()), typed);
  in.write_end.reset();  // end of input: the chardev stops reading (and its thread ends)

  (*dev)->write(bytes_of("guest says hi\r\n"));
  EXPECT_EQ(read_pipe(out.read_end.get(), 15), "guest says hi\r\n");
  EXPECT_EQ(quits, 0);
  dev->reset();  // joins the thread without hanging
}

TEST(StdioChardev, OnlyOneAtATime) {
  Pipe in;
  Pipe out;
  auto first = StdioChardev::open("", {in.read_end.get(), out.write_end.get(), true, {}});
  ASSERT_TRUE(first.ok());
  auto second = StdioChardev::open("", {in.read_end.get(), out.write_end.get(), true, {}});
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().message,
            "chardev stdio: standard input/output is already used by another chardev");
  first->reset();
  EXPECT_TRUE(StdioChardev::open("", {in.read_end.get(), out.write_end.get(), true, {}}).ok());
}

TEST(StdioChardev, TerminalIsRawWhileOpenAndRestoredAfter) {
  Pty pty;
  ASSERT_TRUE(pty.original.c_lflag & ICANON);
  {
    auto dev = StdioChardev::open("", {pty.slave.get(), pty.slave.get(), true, {}});
    ASSERT_TRUE(dev.ok()) << dev.error().describe();
    EXPECT_TRUE((*dev)->is_terminal());
    termios raw = pty.current();
    EXPECT_FALSE(raw.c_lflag & (ICANON | ECHO));
    EXPECT_FALSE(raw.c_iflag & ICRNL);  // Enter reaches the guest as CR
    EXPECT_TRUE(raw.c_lflag & ISIG);    // signal=on: ^C still interrupts mimeo
  }
  termios after = pty.current();
  EXPECT_EQ(after.c_lflag, pty.original.c_lflag);
  EXPECT_EQ(after.c_iflag, pty.original.c_iflag);
  EXPECT_EQ(after.c_oflag, pty.original.c_oflag);

  auto no_signals = StdioChardev::open("", {pty.slave.get(), pty.slave.get(), false, {}});
  ASSERT_TRUE(no_signals.ok());
  EXPECT_FALSE(pty.current().c_lflag & ISIG);  // ^C goes to the guest
}

TEST(StdioChardev, CtrlAEscapesOnATerminal) {
  Pty pty;
  std::atomic<int> quits{0};
  auto dev = StdioChardev::open("", {pty.slave.get(), pty.slave.get(), true, [&] { ++quits; }});
  ASSERT_TRUE(dev.ok());
  InputCollector input;
  ASSERT_TRUE((*dev)->start_input(std::ref(input)).ok());

  const std::string help_keys = "\x01h";
  ASSERT_EQ(::write(pty.master.get(), help_keys.data(), 2), 2);
  std::string help = pty.screen(std::strlen(kEscapeHelp));
  EXPECT_NE(help.find("C-a x    exit mimeo"), std::string::npos) << help;

  const std::string typed = "ok\r\x01\x01\x01x";
  ASSERT_EQ(::write(pty.master.get(), typed.data(), typed.size()),
            static_cast<ssize_t>(typed.size()));
  ASSERT_TRUE(eventually([&] { return quits.load() == 1; }));
  EXPECT_EQ(input.text(), "ok\r\x01");
}

// A child process that puts the terminal in raw mode and then dies in `how`; the terminal
// must be usable again afterwards.
void expect_restored_after(const std::function<void()>& how, int* wait_status) {
  Pty pty;
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    auto dev = StdioChardev::open("", {pty.slave.get(), pty.slave.get(), true, {}});
    if (!dev.ok() || (pty.current().c_lflag & ICANON)) {
      ::_exit(90);
    }
    how();
    ::_exit(91);
  }
  ASSERT_EQ(::waitpid(pid, wait_status, 0), pid);
  EXPECT_TRUE(pty.current().c_lflag & ICANON);
  EXPECT_TRUE(pty.current().c_lflag & ECHO);
}

TEST(StdioChardev, TerminalRestoredOnFatalSignal) {
  int status = 0;
  expect_restored_after([] { ::raise(SIGTERM); }, &status);
  ASSERT_TRUE(WIFSIGNALED(status)) << "exit status " << WEXITSTATUS(status);
  EXPECT_EQ(WTERMSIG(status), SIGTERM);  // and the process still died of it
}

TEST(StdioChardev, TerminalRestoredOnExit) {
  int status = 0;
  expect_restored_after([] { std::exit(7); }, &status);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 7);
}

}  // namespace
}  // namespace mimeo::chardev

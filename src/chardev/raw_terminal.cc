#include "chardev/raw_terminal.h"

#include <termios.h>
#include <unistd.h>

#include <array>
#include <csignal>
#include <cstdlib>
#include <mutex>

namespace mimeo::chardev {

namespace {

constexpr std::array<int, 9> kFatalSignals = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGSEGV,
                                              SIGBUS, SIGFPE,  SIGILL, SIGABRT};

// Global because signal handlers and atexit have no context. Written only with g_mutex
// held, while g_active is 0.
std::mutex g_mutex;
volatile sig_atomic_t g_active = 0;
int g_fd = -1;
termios g_saved{};
std::array<bool, kFatalSignals.size()> g_installed{};
bool g_atexit_registered = false;

void restore_terminal() {
  if (g_active) {
    ::tcsetattr(g_fd, TCSANOW, &g_saved);  // async-signal-safe
  }
}

void on_fatal_signal(int sig) {
  restore_terminal();
  // SA_RESETHAND made the disposition the default again: re-raise to die as intended.
  ::raise(sig);
}

void restore_at_exit() { restore_terminal(); }

// Restores the terminal and gives back the signal handlers we installed. g_mutex held.
void deactivate_locked() {
  restore_terminal();
  g_active = 0;
  for (size_t i = 0; i < kFatalSignals.size(); ++i) {
    if (!g_installed[i]) {
      continue;
    }
    struct sigaction current {};
    ::sigaction(kFatalSignals[i], nullptr, &current);
    if (current.sa_handler == on_fatal_signal) {  // still ours
      struct sigaction sa {};
      sa.sa_handler = SIG_DFL;
      sigemptyset(&sa.sa_mask);
      ::sigaction(kFatalSignals[i], &sa, nullptr);
    }
    g_installed[i] = false;
  }
}

}  // namespace

Result<std::unique_ptr<RawTerminal>> RawTerminal::enter(int fd, bool keep_signals) {
  std::lock_guard lock(g_mutex);
  if (g_active) {
    return make_error("terminal: already in raw mode for another chardev");
  }
  termios saved{};
  if (::tcgetattr(fd, &saved) != 0) {
    return errno_error("tcgetattr");
  }
  termios raw = saved;
  raw.c_iflag &=
      ~static_cast<tcflag_t>(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
  raw.c_oflag |= OPOST;
  raw.c_lflag &= ~static_cast<tcflag_t>(ECHO | ECHONL | ICANON | IEXTEN);
  if (!keep_signals) {
    raw.c_lflag &= ~static_cast<tcflag_t>(ISIG);
  }
  raw.c_cflag &= ~static_cast<tcflag_t>(CSIZE | PARENB);
  raw.c_cflag |= CS8;
  raw.c_cc[VMIN] = 1;
  raw.c_cc[VTIME] = 0;

  g_fd = fd;
  g_saved = saved;
  if (!g_atexit_registered) {
    std::atexit(restore_at_exit);
    g_atexit_registered = true;
  }
  for (size_t i = 0; i < kFatalSignals.size(); ++i) {
    struct sigaction old {};
    ::sigaction(kFatalSignals[i], nullptr, &old);
    g_installed[i] = old.sa_handler == SIG_DFL && !(old.sa_flags & SA_SIGINFO);
    if (g_installed[i]) {
      struct sigaction sa {};
      sa.sa_handler = on_fatal_signal;
      sigemptyset(&sa.sa_mask);
      sa.sa_flags = SA_RESETHAND | SA_NODEFER;
      ::sigaction(kFatalSignals[i], &sa, nullptr);
    }
  }
  g_active = 1;
  if (::tcsetattr(fd, TCSANOW, &raw) != 0) {
    int err = errno;
    deactivate_locked();
    return errno_error("tcsetattr", err);
  }
  return std::unique_ptr<RawTerminal>(new RawTerminal());
}

RawTerminal::~RawTerminal() {
  std::lock_guard lock(g_mutex);
  deactivate_locked();
}

}  // namespace mimeo::chardev

#include "cli/stop_signals.h"

#include <poll.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cstring>

namespace mimeo::cli {

namespace {
sigset_t stop_set() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  return set;
}
}  // namespace

StopSignals::StopSignals() {
  sigset_t set = stop_set();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signals_.reset(::signalfd(-1, &set, SFD_CLOEXEC));
  wake_.reset(::eventfd(0, EFD_CLOEXEC));
  // A closed console must not kill the VMM (QEMU ignores SIGPIPE too).
  signal(SIGPIPE, SIG_IGN);
}

StopSignals::~StopSignals() { stop_watching(); }

void StopSignals::stop_watching() {
  if (watcher_.joinable()) {
    const uint64_t one = 1;
    (void)!::write(wake_.get(), &one, sizeof one);
    watcher_.join();
  }
}

StopSignals::Watch StopSignals::watch(std::function<void(const char* name)> on_signal) {
  watcher_ = std::thread([this, on_signal = std::move(on_signal)] {
    for (;;) {
      pollfd fds[2] = {{signals_.get(), POLLIN, 0}, {wake_.get(), POLLIN, 0}};
      if (::poll(fds, 2, -1) < 0) {
        continue;
      }
      if (fds[1].revents != 0) {
        return;
      }
      signalfd_siginfo info{};
      if (::read(signals_.get(), &info, sizeof info) == sizeof info) {
        on_signal(sigabbrev_np(static_cast<int>(info.ssi_signo)));
      }
    }
  });
  return Watch(*this);
}

}  // namespace mimeo::cli

#include "cli/stop_signals.h"

#include <signal.h>

#include <cstring>
#include <ctime>

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
  // A closed console must not kill the VMM (QEMU ignores SIGPIPE too).
  signal(SIGPIPE, SIG_IGN);
}

StopSignals::~StopSignals() {
  done_ = true;
  if (watcher_.joinable()) {
    watcher_.join();
  }
}

void StopSignals::watch(std::function<void(const char* name)> on_signal) {
  watcher_ = std::thread([this, on_signal = std::move(on_signal)] {
    sigset_t set = stop_set();
    const timespec tick{0, 100'000'000};
    while (!done_) {
      int sig = sigtimedwait(&set, nullptr, &tick);
      if (sig > 0) {
        on_signal(sigabbrev_np(sig));
      }
    }
  });
}

}  // namespace mimeo::cli

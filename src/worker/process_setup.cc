#include "worker/process_setup.h"

#include <malloc.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

namespace mimeo::worker {

Result<UniqueFd> isolate_worker_process() {
  // EPERM only for a process group leader: it is out of the daemon's group already.
  if (::setsid() < 0 && errno != EPERM) {
    return errno_error("setsid");
  }
  // One malloc arena for every thread: the console's and the vCPU threads'
  // first allocations (on the first input and exit after `start`) would each
  // map a new arena of their own, costing time on the start's path and memory
  // in every worker. Their allocations are few and small.
  (void)::mallopt(M_ARENA_MAX, 1);
  for (int sig : {SIGPIPE, SIGHUP, SIGINT}) {
    if (::signal(sig, SIG_IGN) == SIG_ERR) {
      return errno_error("ignore signal " + std::to_string(sig));
    }
  }
  sigset_t term;
  sigemptyset(&term);
  sigaddset(&term, SIGTERM);
  if (::sigprocmask(SIG_BLOCK, &term, nullptr) != 0) {
    return errno_error("block SIGTERM");
  }
  int fd = ::signalfd(-1, &term, SFD_NONBLOCK | SFD_CLOEXEC);
  if (fd < 0) {
    return errno_error("signalfd for SIGTERM");
  }
  return UniqueFd(fd);
}

bool termination_requested(int signal_fd) {
  bool term = false;
  signalfd_siginfo info{};
  while (::read(signal_fd, &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
    term |= info.ssi_signo == SIGTERM;
  }
  return term;
}

}  // namespace mimeo::worker

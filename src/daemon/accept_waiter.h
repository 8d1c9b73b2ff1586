// One thread's wait for the next connection on a listening socket shared by
// several threads, ended early when a stop eventfd becomes readable. A new
// connection wakes one waiting thread, not all of them: each waiter has an
// epoll instance of its own with the listener added EPOLLEXCLUSIVE (every
// waiter wakes for the stop fd). Falls back to poll(), which wakes every
// waiter, when no epoll instance can be had.
#pragma once

#include "base/unique_fd.h"

namespace mimeo::daemon {

class AcceptWaiter {
 public:
  enum class Event { kConnection, kStop, kTimeout };

  AcceptWaiter(int listen_fd, int stop_fd);

  // Waits up to `timeout_ms` (-1: no limit). kConnection may be spurious
  // (another thread accepted first): accept non-blocking. Returns kTimeout
  // on EINTR too, and after waiting a little when the wait itself fails.
  Event wait(int timeout_ms);

 private:
  int listen_fd_;
  int stop_fd_;
  UniqueFd epoll_fd_;  // invalid: poll() instead
};

}  // namespace mimeo::daemon

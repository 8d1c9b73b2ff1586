#include "daemon/accept_waiter.h"

#include <poll.h>
#include <sys/epoll.h>

#include <cerrno>

namespace mimeo::daemon {

namespace {

// How long a wait that failed (ENOMEM) pauses, so that no thread spins.
constexpr int kFailedWaitMs = 50;

}  // namespace

AcceptWaiter::AcceptWaiter(int listen_fd, int stop_fd)
    : listen_fd_(listen_fd), stop_fd_(stop_fd), epoll_fd_(::epoll_create1(EPOLL_CLOEXEC)) {
  if (!epoll_fd_) {
    return;
  }
  epoll_event listener{};
  listener.events = EPOLLIN | EPOLLEXCLUSIVE;
  listener.data.fd = listen_fd_;
  epoll_event stop{};
  stop.events = EPOLLIN;
  stop.data.fd = stop_fd_;
  if (::epoll_ctl(epoll_fd_.get(), EPOLL_CTL_ADD, listen_fd_, &listener) != 0 ||
      ::epoll_ctl(epoll_fd_.get(), EPOLL_CTL_ADD, stop_fd_, &stop) != 0) {
    epoll_fd_.reset();
  }
}

AcceptWaiter::Event AcceptWaiter::wait(int timeout_ms) {
  bool connection = false;
  bool stop = false;
  int ready = 0;
  if (epoll_fd_) {
    epoll_event events[2];
    ready = ::epoll_wait(epoll_fd_.get(), events, 2, timeout_ms);
    for (int i = 0; i < ready; ++i) {
      connection |= events[i].data.fd == listen_fd_;
      stop |= events[i].data.fd == stop_fd_;
    }
  } else {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {stop_fd_, POLLIN, 0}};
    ready = ::poll(fds, 2, timeout_ms);
    connection = ready > 0 && fds[0].revents != 0;
    stop = ready > 0 && fds[1].revents != 0;
  }
  if (ready < 0 && errno != EINTR) {
    pollfd wait_stop{stop_fd_, POLLIN, 0};
    stop = ::poll(&wait_stop, 1, kFailedWaitMs) > 0;
  }
  if (stop) {
    return Event::kStop;
  }
  return connection ? Event::kConnection : Event::kTimeout;
}

}  // namespace mimeo::daemon

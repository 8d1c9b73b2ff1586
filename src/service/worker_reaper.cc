#include "service/worker_reaper.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>

namespace mimeo::service {

Result<std::unique_ptr<WorkerReaper>> WorkerReaper::start(ExitHandler on_exit) {
  UniqueFd epoll(::epoll_create1(EPOLL_CLOEXEC));
  if (!epoll) {
    return errno_error("epoll_create1");
  }
  UniqueFd wake(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!wake) {
    return errno_error("eventfd");
  }
  epoll_event event{};
  event.events = EPOLLIN;
  event.data.fd = wake.get();
  if (::epoll_ctl(epoll.get(), EPOLL_CTL_ADD, wake.get(), &event) != 0) {
    return errno_error("epoll_ctl");
  }
  std::unique_ptr<WorkerReaper> reaper(
      new WorkerReaper(std::move(epoll), std::move(wake), std::move(on_exit)));
  reaper->thread_ = std::thread([r = reaper.get()] { r->run(); });
  return reaper;
}

WorkerReaper::WorkerReaper(UniqueFd epoll, UniqueFd wake, ExitHandler on_exit)
    : epoll_(std::move(epoll)), wake_(std::move(wake)), on_exit_(std::move(on_exit)) {}

WorkerReaper::~WorkerReaper() {
  uint64_t one = 1;
  (void)::write(wake_.get(), &one, sizeof one);
  if (thread_.joinable()) {
    thread_.join();
  }
}

Status WorkerReaper::watch(const std::string& id, int pidfd) {
  std::lock_guard lock(mutex_);
  epoll_event event{};
  event.events = EPOLLIN;
  event.data.fd = pidfd;
  if (::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, pidfd, &event) != 0) {
    return errno_error("epoll_ctl add pidfd of worker " + id);
  }
  ids_[pidfd] = id;
  return {};
}

void WorkerReaper::unwatch(int pidfd) {
  std::lock_guard lock(mutex_);
  if (ids_.erase(pidfd) != 0) {
    ::epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, pidfd, nullptr);
  }
}

void WorkerReaper::run() {
  epoll_event events[64];
  for (;;) {
    int n = ::epoll_wait(epoll_.get(), events, 64, -1);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return;  // cannot happen with a valid epoll fd; nothing left to watch with
    }
    for (int i = 0; i < n; ++i) {
      const int fd = events[i].data.fd;
      if (fd == wake_.get()) {
        return;
      }
      std::string id;
      {
        std::lock_guard lock(mutex_);
        auto it = ids_.find(fd);
        if (it == ids_.end()) {
          continue;  // unwatched meanwhile
        }
        id = it->second;
        ids_.erase(it);
        ::epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, fd, nullptr);
      }
      on_exit_(id);
    }
  }
}

}  // namespace mimeo::service

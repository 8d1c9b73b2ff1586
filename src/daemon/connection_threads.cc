#include "daemon/connection_threads.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <system_error>

namespace mimeo::daemon {

namespace {

using Clock = std::chrono::steady_clock;

// How long to wait before trying again when descriptors, memory or threads
// are short, so that no thread spins meanwhile.
constexpr int kShortageWaitMs = 50;

bool is_shortage(int error) {
  return error == EMFILE || error == ENFILE || error == ENOBUFS || error == ENOMEM;
}

// Waits up to `timeout_ms` for `fd` (a stop eventfd) to become readable.
void wait_for(int fd, int timeout_ms) {
  pollfd stop{fd, POLLIN, 0};
  (void)::poll(&stop, 1, timeout_ms);
}

}  // namespace

Result<std::unique_ptr<ConnectionThreads>> ConnectionThreads::create(
    ConnectionThreadsSetup setup, service::RequestHandler& handler, StatusCounts& answers) {
  auto wake = chardev::WakeFd::create();
  if (!wake.ok()) {
    return wake.error().context("the API server's connection threads");
  }
  setup.spare = std::max(setup.spare, 1U);  // someone must wait for the first connection
  return std::unique_ptr<ConnectionThreads>(
      new ConnectionThreads(std::move(setup), std::move(*wake), handler, answers));
}

ConnectionThreads::ConnectionThreads(ConnectionThreadsSetup setup, chardev::WakeFd wake,
                                     service::RequestHandler& handler, StatusCounts& answers)
    : setup_(std::move(setup)), wake_(std::move(wake)), handler_(handler), answers_(answers) {}

ConnectionThreads::~ConnectionThreads() {
  signal_stop();
  join();
}

unsigned ConnectionThreads::threads() const {
  std::lock_guard lock(mutex_);
  return alive_;
}

void ConnectionThreads::signal_stop() const {
  uint64_t one = 1;
  ssize_t ignored = ::write(setup_.stop_fd, &one, sizeof one);
  (void)ignored;
}

Status ConnectionThreads::run() {
  Status result;
  while (true) {
    bool short_of_threads = !start_spares();
    join_finished();
    bool nobody_accepts = false;
    if (short_of_threads) {
      std::lock_guard lock(mutex_);
      nobody_accepts = idle_ == 0;
    }
    // Without an idle thread and none to be had, this thread answers new
    // connections itself: busy.
    pollfd fds[3] = {{setup_.stop_fd, POLLIN, 0},
                     {wake_.fd(), POLLIN, 0},
                     {nobody_accepts ? setup_.listen_fd : -1, POLLIN, 0}};
    int ready = ::poll(fds, 3, short_of_threads ? kShortageWaitMs : -1);
    if (ready < 0 && errno != EINTR) {
      result = errno_error("poll on the API server's descriptors");
      signal_stop();
      break;
    }
    if (ready <= 0) {
      continue;
    }
    if (fds[0].revents != 0) {
      break;
    }
    if (fds[1].revents != 0) {
      wake_.drain();
    }
    if (fds[2].revents != 0) {
      int fd = ::accept4(setup_.listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd >= 0) {
        answer_busy(fd);
        ::close(fd);
      }
    }
  }
  // Every thread leaves the listening socket alone from here on: the idle
  // ones end, the others end after their connection.
  std::unique_lock lock(mutex_);
  stopping_ = true;
  waiting_done_.wait(lock, [this] { return idle_ == 0; });
  return result;
}

bool ConnectionThreads::start_spares() {
  unsigned wanted = 0;
  {
    std::lock_guard lock(mutex_);
    if (stopping_ || idle_ != 0) {
      return true;
    }
    unsigned room = setup_.max_connections + 1 - std::min(alive_, setup_.max_connections + 1);
    wanted = std::min(setup_.spare, room);
    idle_ += wanted;  // counted idle from the start: they will wait for connections
    alive_ += wanted;
  }
  for (unsigned started = 0; started < wanted; ++started) {
    Thread& thread = threads_.emplace_back();
    try {
      thread.thread = std::thread([this, &thread] { thread_main(thread); });
    } catch (const std::system_error&) {
      threads_.pop_back();
      std::lock_guard lock(mutex_);
      idle_ -= wanted - started;
      alive_ -= wanted - started;
      return false;
    }
  }
  return true;
}

void ConnectionThreads::join_finished() {
  for (auto it = threads_.begin(); it != threads_.end();) {
    if (it->done.load()) {
      it->thread.join();
      it = threads_.erase(it);
    } else {
      ++it;
    }
  }
}

void ConnectionThreads::join() {
  for (Thread& thread : threads_) {
    thread.thread.join();
  }
  threads_.clear();
}

void ConnectionThreads::thread_main(Thread& self) {
  AcceptWaiter waiter(setup_.listen_fd, setup_.stop_fd);
  Clock::time_point idle_since = Clock::now();
  while (UniqueFd fd = accept_next(waiter, idle_since)) {
    if (active_.fetch_add(1) >= setup_.max_connections) {
      --active_;
      answer_busy(fd.get());
      continue;  // still idle
    }
    bool none_idle = false;
    {
      std::lock_guard lock(mutex_);
      none_idle = --idle_ == 0;
      if (none_idle && stopping_) {
        waiting_done_.notify_all();
      }
    }
    if (none_idle) {
      wake_.notify();  // more threads, before the next connection arrives
    }
    serve_connection(fd.get(), setup_.stop_fd, setup_.limits, handler_, answers_);
    fd.reset();
    --active_;
    idle_since = Clock::now();
    std::lock_guard lock(mutex_);
    if (stopping_) {
      break;
    }
    ++idle_;
  }
  {
    std::lock_guard lock(mutex_);
    --alive_;
  }
  self.done = true;
  wake_.notify();  // to be joined
}

UniqueFd ConnectionThreads::accept_next(AcceptWaiter& waiter, Clock::time_point idle_since) {
  // Leaves the idle threads; `lock` holds mutex_.
  auto leave = [this](const std::lock_guard<std::mutex>&) {
    if (--idle_ == 0 && stopping_) {
      waiting_done_.notify_all();
    }
    return UniqueFd();
  };
  while (true) {
    int timeout_ms = -1;
    {
      std::lock_guard lock(mutex_);
      if (stopping_) {
        return leave(lock);
      }
      if (idle_ > setup_.spare) {
        auto left = std::chrono::ceil<std::chrono::milliseconds>(idle_since + setup_.spare_linger -
                                                                 Clock::now());
        if (left.count() <= 0) {
          return leave(lock);  // one idle thread too many, for long enough
        }
        timeout_ms = static_cast<int>(std::min<int64_t>(left.count(), 1 << 30));
      }
    }
    AcceptWaiter::Event event = waiter.wait(timeout_ms);
    if (event == AcceptWaiter::Event::kStop) {
      std::lock_guard lock(mutex_);
      return leave(lock);
    }
    if (event == AcceptWaiter::Event::kTimeout) {
      continue;
    }
    int fd = ::accept4(setup_.listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd >= 0) {
      return UniqueFd(fd);
    }
    if (is_shortage(errno)) {
      // The client stays queued; waiting keeps this thread from spinning.
      wait_for(setup_.stop_fd, kShortageWaitMs);
    }
    // EAGAIN: another thread took the connection; anything else concerns
    // only the client that was queued.
  }
}

void ConnectionThreads::answer_busy(int fd) {
  answers_.count(503);
  // A fresh socket's buffer holds this small answer; never wait for the client.
  (void)::send(fd, setup_.busy.data(), setup_.busy.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
}

}  // namespace mimeo::daemon

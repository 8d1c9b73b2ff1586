#include "qmp/qmp_server.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>

namespace mimeo::qmp {

namespace {

constexpr size_t kReadSize = 64 * 1024;
constexpr auto kExitFlushTime = std::chrono::seconds(1);

}  // namespace

Result<std::unique_ptr<QmpServer>> QmpServer::start(const QmpSpec& spec, QmpBackend& backend,
                                                    SessionOptions options) {
  auto listener = chardev::UnixListener::create(spec.path);
  if (!listener.ok()) {
    return listener.error().context("-qmp");
  }
  MIMEO_ASSIGN_OR_RETURN(auto wake, chardev::WakeFd::create());
  std::unique_ptr<QmpServer> server(
      new QmpServer(std::move(listener.value()), std::move(wake), backend, std::move(options)));
  server->thread_ = std::thread([s = server.get()] { s->run(); });
  return server;
}

QmpServer::QmpServer(chardev::UnixListener listener, chardev::WakeFd wake, QmpBackend& backend,
                     SessionOptions options)
    : listener_(std::move(listener)),
      wake_(std::move(wake)),
      backend_(backend),
      session_(backend, std::move(options)) {}

QmpServer::~QmpServer() {
  stop_ = true;
  backend_.abort_migration();  // a command blocked on an exec: child ends now
  wake_.notify();
  stop_waiting();
  if (thread_.joinable()) {
    thread_.join();
  }
}

bool QmpServer::wait_for_client() {
  std::unique_lock lock(mutex_);
  connected_.wait(lock, [this] { return ever_connected_ || stop_waiting_; });
  return ever_connected_;
}

void QmpServer::stop_waiting() {
  std::lock_guard lock(mutex_);
  stop_waiting_ = true;
  connected_.notify_all();
}

void QmpServer::vm_stopped(const vmm::ExitReport& report) {
  auto cause = shutdown_cause(report);
  if (!cause) {
    return;
  }
  {
    std::lock_guard lock(mutex_);
    inbox_.push_back(*cause);
  }
  wake_.notify();
}

void QmpServer::take_inbox() {
  std::vector<ShutdownCause> causes;
  {
    std::lock_guard lock(mutex_);
    causes.swap(inbox_);
  }
  for (const auto& cause : causes) {
    for (auto& line : session_.vm_stopped(cause)) {
      queue(std::move(line));
    }
  }
}

void QmpServer::queue(std::string line) {
  if (!client_) {
    return;
  }
  pending_ += line;
  pending_ += "\r\n";
}

bool QmpServer::flush() {
  while (client_ && !pending_.empty()) {
    ssize_t n =
        ::send(client_.get(), pending_.data(), pending_.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      pending_.erase(0, static_cast<size_t>(n));
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      return true;
    } else {
      return false;
    }
  }
  return true;
}

void QmpServer::accept_client() {
  auto client = listener_.accept();
  if (!client.ok()) {
    return;  // EAGAIN, or a client that went away before it was accepted
  }
  client_ = std::move(client.value());
  splitter_.reset();
  pending_.clear();
  queue(session_.connect());
  {
    std::lock_guard lock(mutex_);
    ever_connected_ = true;
  }
  connected_.notify_all();
  if (!flush()) {
    drop_client();
  }
}

void QmpServer::drop_client() {
  client_.reset();
  pending_.clear();
  splitter_.reset();
}

void QmpServer::read_client() {
  char buffer[kReadSize];
  ssize_t n = ::read(client_.get(), buffer, sizeof buffer);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
    return;
  }
  if (n <= 0) {
    drop_client();
    return;
  }
  // One value at a time, so that a stop or `quit` is seen between commands.
  for (auto& item : splitter_.feed(std::string_view(buffer, static_cast<size_t>(n)))) {
    if (stop_ || session_.quit_requested()) {
      break;
    }
    if (!item.error.empty()) {
      queue(QmpSession::input_error(item.error));
    } else {
      for (auto& line : session_.execute(item.text)) {
        queue(std::move(line));
      }
    }
    if (!flush()) {
      drop_client();
      return;
    }
  }
}

void QmpServer::run() {
  while (!stop_) {
    pollfd fds[2] = {{wake_.fd(), POLLIN, 0}, {-1, 0, 0}};
    const bool quit = session_.quit_requested();
    if (client_) {
      fds[1].fd = client_.get();
      if (!quit && pending_.size() < kMaxPendingOutput) {
        fds[1].events |= POLLIN;
      }
      if (!pending_.empty()) {
        fds[1].events |= POLLOUT;
      }
    } else if (!quit) {
      fds[1].fd = listener_.fd();
      fds[1].events = POLLIN;
    }
    if (::poll(fds, 2, -1) < 0) {
      continue;  // EINTR
    }
    if (fds[0].revents & POLLIN) {
      wake_.drain();
      take_inbox();
    }
    if (stop_) {
      break;
    }
    if (fds[1].fd < 0 || fds[1].revents == 0) {
      // Nothing from the socket; queued events still go out.
    } else if (!client_) {
      accept_client();
      continue;
    } else if (fds[1].revents & POLLIN) {
      read_client();
    } else if (fds[1].revents & (POLLHUP | POLLERR | POLLNVAL)) {
      drop_client();
    }
    if (!flush()) {
      drop_client();
    }
  }
  flush_before_exit();
}

void QmpServer::flush_before_exit() {
  take_inbox();
  const auto deadline = std::chrono::steady_clock::now() + kExitFlushTime;
  while (client_ && !pending_.empty()) {
    if (!flush()) {
      break;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (pending_.empty() || left.count() <= 0) {
      break;
    }
    pollfd fd = {client_.get(), POLLOUT, 0};
    ::poll(&fd, 1, static_cast<int>(left.count()));
  }
  client_.reset();
}

}  // namespace mimeo::qmp

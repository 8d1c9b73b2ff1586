#include "chardev/socket_chardev.h"

#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cstdio>

namespace mimeo::chardev {

namespace {

constexpr size_t kReadChunk = 4096;

Status wait_for_client(const UnixListener& listener) {
  std::fprintf(stderr, "mimeo: waiting for a connection on unix:%s,server=on\n",
               listener.path().c_str());
  pollfd p{listener.fd(), POLLIN, 0};
  while (::poll(&p, 1, -1) < 0) {
    if (errno != EINTR) {
      return errno_error("poll on " + listener.path());
    }
  }
  return {};
}

}  // namespace

Result<std::unique_ptr<SocketChardev>> SocketChardev::listen(std::string id,
                                                             const std::string& path, bool wait) {
  MIMEO_ASSIGN_OR_RETURN(UnixListener listener, UnixListener::create(path));
  MIMEO_ASSIGN_OR_RETURN(WakeFd wake, WakeFd::create());
  std::unique_ptr<SocketChardev> chardev(
      new SocketChardev(std::move(id), path, std::move(listener), std::move(wake)));
  if (wait) {
    MIMEO_TRY(wait_for_client(*chardev->listener_));
    MIMEO_ASSIGN_OR_RETURN(UniqueFd client, chardev->listener_->accept());
    chardev->set_client(std::move(client));
  }
  MIMEO_TRY(chardev->start_thread());
  return chardev;
}

Result<std::unique_ptr<SocketChardev>> SocketChardev::connect(std::string id,
                                                              const std::string& path) {
  MIMEO_ASSIGN_OR_RETURN(UniqueFd client, connect_unix(path));
  MIMEO_ASSIGN_OR_RETURN(WakeFd wake, WakeFd::create());
  std::unique_ptr<SocketChardev> chardev(
      new SocketChardev(std::move(id), path, std::nullopt, std::move(wake)));
  chardev->set_client(std::move(client));
  MIMEO_TRY(chardev->start_thread());
  return chardev;
}

SocketChardev::SocketChardev(std::string id, std::string path, std::optional<UnixListener> listener,
                             WakeFd wake)
    : Chardev(std::move(id)),
      path_(std::move(path)),
      listener_(std::move(listener)),
      wake_(std::move(wake)) {}

SocketChardev::~SocketChardev() {
  stop_ = true;
  wake_.notify();
  if (thread_.joinable()) {
    thread_.join();
  }
}

Status SocketChardev::start_thread() {
  try {
    thread_ = std::thread([this] { run(); });
  } catch (const std::system_error& e) {
    return make_error("chardev " + describe() + ": cannot start its thread: " + e.what());
  }
  return {};
}

std::string SocketChardev::describe() const {
  return "unix:" + path_ + (listener_ ? ",server=on" : "");
}

void SocketChardev::set_client(UniqueFd client) {
  std::lock_guard lock(mutex_);
  client_ = std::move(client);
  pending_.clear();
}

bool SocketChardev::connected() const {
  std::lock_guard lock(mutex_);
  return client_.valid();
}

uint64_t SocketChardev::dropped_output() const {
  std::lock_guard lock(mutex_);
  return dropped_;
}

void SocketChardev::write(std::span<const uint8_t> bytes) {
  std::lock_guard lock(mutex_);
  if (!client_) {
    dropped_ += bytes.size();
    return;
  }
  if (pending_.empty()) {
    ssize_t n = ::send(client_.get(), bytes.data(), bytes.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n < 0) {
      if (errno != EAGAIN && errno != EINTR) {
        dropped_ += bytes.size();  // the client is gone; the thread notices the hang-up
        return;
      }
      n = 0;
    }
    bytes = bytes.subspan(static_cast<size_t>(n));
    if (bytes.empty()) {
      return;
    }
  }
  size_t keep = std::min(bytes.size(), kMaxPendingOutput - pending_.size());
  pending_.append(bytes.begin(), bytes.begin() + static_cast<ptrdiff_t>(keep));
  dropped_ += bytes.size() - keep;
  wake_.notify();  // the thread now waits for POLLOUT
}

void SocketChardev::flush_pending() {
  std::lock_guard lock(mutex_);
  if (!client_ || pending_.empty()) {
    return;
  }
  ssize_t n = ::send(client_.get(), pending_.data(), pending_.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
  if (n > 0) {
    pending_.erase(0, static_cast<size_t>(n));
  }
}

Status SocketChardev::begin_input(InputHandler on_input, InputRoom room) {
  {
    std::lock_guard lock(mutex_);
    on_input_ = std::move(on_input);
    room_ = std::move(room);
  }
  wake_.notify();
  return {};
}

void SocketChardev::notify_input_room() { wake_.notify(); }

void SocketChardev::accept_client() {
  auto client = listener_->accept();
  if (client.ok()) {
    set_client(std::move(*client));
  }  // else the client went away before we took it (or EAGAIN): keep listening
}

bool SocketChardev::read_client(int client, size_t room) {
  std::array<uint8_t, kReadChunk> buffer;
  ssize_t n = ::recv(client, buffer.data(), std::min(room, buffer.size()), 0);
  if (n < 0) {
    return errno == EAGAIN || errno == EINTR;
  }
  if (n == 0) {
    return false;
  }
  InputHandler on_input;
  {
    std::lock_guard lock(mutex_);
    on_input = on_input_;
  }
  // Called without our lock: the handler takes the device's lock, and vCPU threads hold
  // the device's lock when they call write().
  on_input(std::span<const uint8_t>(buffer.data(), static_cast<size_t>(n)));
  return true;
}

void SocketChardev::run() {
  while (!stop_) {
    int client = -1;
    bool started = false;
    bool has_pending = false;
    InputRoom room_fn;
    {
      std::lock_guard lock(mutex_);
      client = client_.get();
      started = static_cast<bool>(on_input_);
      has_pending = !pending_.empty();
      room_fn = room_;
    }
    size_t room = started ? (room_fn ? room_fn() : kReadChunk) : 0;

    std::array<pollfd, 2> fds{};
    fds[0] = {wake_.fd(), POLLIN, 0};
    nfds_t count = 1;
    if (client >= 0) {
      short events = static_cast<short>((room > 0 ? POLLIN : 0) | (has_pending ? POLLOUT : 0));
      fds[1] = {client, events, 0};  // POLLHUP and POLLERR are reported regardless
      count = 2;
    } else if (listener_) {
      fds[1] = {listener_->fd(), POLLIN, 0};
      count = 2;
    }
    if (::poll(fds.data(), count, -1) < 0) {
      continue;  // EINTR
    }
    if (fds[0].revents) {
      wake_.drain();
      continue;  // re-read the state: stop, new input handler, room, output to flush
    }
    if (count < 2 || !fds[1].revents) {
      continue;
    }
    if (client < 0) {
      accept_client();
      continue;
    }
    bool alive = true;
    if (fds[1].revents & POLLOUT) {
      flush_pending();
    }
    if (fds[1].revents & POLLIN) {
      alive = read_client(client, room);
    } else if (fds[1].revents & (POLLHUP | POLLERR)) {
      alive = false;
    }
    if (!alive) {
      set_client(UniqueFd());  // closes it; a server then accepts the next client
    }
  }
}

}  // namespace mimeo::chardev

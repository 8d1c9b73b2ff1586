#include "daemon/api_server.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

namespace mimeo::daemon {

namespace {

// How often serve() joins the threads of finished connections when no
// connection arrives.
constexpr int kReapIntervalMs = 1000;

}  // namespace

Result<std::unique_ptr<ApiServer>> ApiServer::create(const std::string& socket_path,
                                                     service::RequestHandler& handler,
                                                     ApiServerOptions options) {
  int stop_fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (stop_fd < 0) {
    return errno_error("eventfd for the API server");
  }
  UniqueFd stop(stop_fd);
  MIMEO_ASSIGN_OR_RETURN(ApiSocket socket, ApiSocket::listen(socket_path));
  return std::unique_ptr<ApiServer>(
      new ApiServer(std::move(socket), std::move(stop), handler, options));
}

ApiServer::ApiServer(ApiSocket socket, UniqueFd stop_fd, service::RequestHandler& handler,
                     ApiServerOptions options)
    : socket_(std::move(socket)),
      path_(socket_.path()),
      stop_fd_(std::move(stop_fd)),
      handler_(handler),
      options_(options),
      busy_(busy_answer(options.max_connections)) {}

ApiServer::~ApiServer() {
  stop();
  std::lock_guard serving(serve_mutex_);  // serve() has returned
  socket_.close();
}

void ApiServer::stop() {
  int saved_errno = errno;
  uint64_t one = 1;
  ssize_t ignored = ::write(stop_fd_.get(), &one, sizeof one);
  (void)ignored;
  errno = saved_errno;
}

Status ApiServer::serve() {
  std::lock_guard serving(serve_mutex_);
  Status result;
  while (true) {
    pollfd fds[2] = {{socket_.fd(), POLLIN, 0}, {stop_fd_.get(), POLLIN, 0}};
    int ready = ::poll(fds, 2, kReapIntervalMs);
    if (ready < 0 && errno != EINTR) {
      result = errno_error("poll on the API socket " + path_);
      break;
    }
    if (ready > 0 && fds[1].revents != 0) {
      break;
    }
    if (ready > 0 && fds[0].revents != 0) {
      accept_one();
    }
    join_finished();
  }
  socket_.close();  // new clients are refused from here on
  stop();           // the connections end too when serve() failed
  join_all();
  return result;
}

void ApiServer::accept_one() {
  int fd = ::accept4(socket_.fd(), nullptr, nullptr, SOCK_CLOEXEC);
  if (fd < 0) {
    if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
      // The client stays queued; waiting a little keeps poll() from spinning
      // while descriptors or memory are short.
      ::usleep(50 * 1000);
    }
    return;
  }
  start_connection(UniqueFd(fd));
}

void ApiServer::start_connection(UniqueFd fd) {
  join_finished();
  if (active_.load() < options_.max_connections) {
    Connection& connection = connections_.emplace_back();
    ++active_;
    try {
      int raw_fd = fd.get();
      connection.thread = std::thread([this, &connection, raw_fd] {
        UniqueFd owned(raw_fd);
        serve_connection(owned.get(), stop_fd_.get(), options_.limits, handler_, answers_);
        owned.reset();
        --active_;
        connection.done = true;
      });
      (void)fd.release();  // the thread owns it now
      return;
    } catch (const std::system_error&) {
      --active_;
      connections_.pop_back();  // no thread could start: answer busy below
    }
  }
  answers_.count(503);
  // A fresh socket's buffer holds this small answer; never wait for the client.
  (void)::send(fd.get(), busy_.data(), busy_.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
}

void ApiServer::join_finished() {
  for (auto it = connections_.begin(); it != connections_.end();) {
    if (it->done.load()) {
      it->thread.join();
      it = connections_.erase(it);
    } else {
      ++it;
    }
  }
}

void ApiServer::join_all() {
  for (Connection& connection : connections_) {
    connection.thread.join();
  }
  connections_.clear();
}

}  // namespace mimeo::daemon

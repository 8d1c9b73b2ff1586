#include "daemon/api_server.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>

namespace mimeo::daemon {

Result<std::unique_ptr<ApiServer>> ApiServer::create(const std::string& socket_path,
                                                     service::RequestHandler& handler,
                                                     ApiServerOptions options) {
  int stop_fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (stop_fd < 0) {
    return errno_error("eventfd for the API server");
  }
  UniqueFd stop(stop_fd);
  MIMEO_ASSIGN_OR_RETURN(ApiSocket socket, ApiSocket::listen(socket_path));
  std::unique_ptr<ApiServer> server(new ApiServer(std::move(socket), std::move(stop)));
  ConnectionThreadsSetup setup;
  setup.listen_fd = server->socket_.fd();
  setup.stop_fd = server->stop_fd_.get();
  setup.max_connections = options.max_connections;
  setup.spare = options.spare_threads;
  setup.spare_linger = options.spare_thread_linger;
  setup.limits = options.limits;
  setup.busy = busy_answer(options.max_connections);
  MIMEO_ASSIGN_OR_RETURN(server->threads_,
                         ConnectionThreads::create(std::move(setup), handler, server->answers_));
  return server;
}

ApiServer::ApiServer(ApiSocket socket, UniqueFd stop_fd)
    : socket_(std::move(socket)), path_(socket_.path()), stop_fd_(std::move(stop_fd)) {}

ApiServer::~ApiServer() {
  stop();
  std::lock_guard serving(serve_mutex_);  // serve() has returned
  threads_.reset();
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
  Status result = threads_->run();  // writes stop_fd_ itself when it fails
  socket_.close();                  // new clients are refused from here on
  threads_->join();
  return result;
}

}  // namespace mimeo::daemon

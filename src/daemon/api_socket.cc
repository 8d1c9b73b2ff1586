#include "daemon/api_socket.h"

#include <sys/socket.h>

namespace mimeo::daemon {

Result<ApiSocket> ApiSocket::listen(const std::string& path) {
  if (path.empty()) {
    return make_error("the daemon's socket path is empty");
  }
  // The listener would refuse a live socket too; this says who is there.
  if (socket_answers(path)) {
    return make_error("another daemon listens on " + path);
  }
  auto listener = chardev::UnixListener::create(path, SOMAXCONN);
  if (!listener.ok()) {
    return listener.error();
  }
  return ApiSocket(std::move(*listener), path);
}

}  // namespace mimeo::daemon

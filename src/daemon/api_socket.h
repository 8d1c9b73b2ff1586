// The daemon's listening Unix socket: owner-only (0600) from the moment it
// appears, and never taking over a path it should not. No Beast or Asio here.
#pragma once

#include <sys/types.h>

#include <string>

#include "base/result.h"
#include "base/unique_fd.h"
#include "chardev/unix_socket.h"

namespace mimeo::daemon {

class ApiSocket {
 public:
  // Listens on `path`. An existing path is replaced only when it is a socket
  // nobody answers on (a daemon that died); a live socket ("another daemon
  // listens on PATH") or any other file is an error naming the path.
  static Result<ApiSocket> listen(const std::string& path);

  // The listening descriptor: non-blocking, close-on-exec.
  [[nodiscard]] int fd() const { return listener_.fd(); }
  [[nodiscard]] const std::string& path() const { return path_; }

  // Stops listening and removes the socket file if the path still names this
  // socket (someone may have replaced it since). Idempotent.
  void close() { listener_.close(); }

 private:
  ApiSocket(chardev::UnixListener listener, std::string path)
      : listener_(std::move(listener)), path_(std::move(path)) {}

  chardev::UnixListener listener_;  // owner-only (0600) from the moment it appears
  std::string path_;
};

// True when something accepts connections at `path` (a connect succeeds, or
// its backlog is full). Cheap: no request is sent.
[[nodiscard]] inline bool socket_answers(const std::string& path) {
  return chardev::socket_answers(path);
}

}  // namespace mimeo::daemon

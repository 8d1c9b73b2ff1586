// The daemon's listening Unix socket: owner-only (0600) from the moment it
// appears, and never taking over a path it should not. No Beast or Asio here.
#pragma once

#include <sys/types.h>

#include <string>

#include "base/result.h"
#include "base/unique_fd.h"

namespace mimeo::daemon {

class ApiSocket {
 public:
  // Listens on `path`. An existing path is replaced only when it is a socket
  // nobody answers on (a daemon that died); a live socket ("another daemon
  // listens on PATH") or any other file is an error naming the path.
  static Result<ApiSocket> listen(const std::string& path);

  ApiSocket(ApiSocket&& other) noexcept;
  ApiSocket& operator=(ApiSocket&& other) = delete;
  ApiSocket(const ApiSocket&) = delete;
  ApiSocket& operator=(const ApiSocket&) = delete;
  // Closes the socket and removes its file (see close()).
  ~ApiSocket();

  // The listening descriptor: non-blocking, close-on-exec.
  [[nodiscard]] int fd() const { return fd_.get(); }
  [[nodiscard]] const std::string& path() const { return path_; }

  // Stops listening and removes the socket file if the path still names this
  // socket (someone may have replaced it since). Idempotent.
  void close();

 private:
  ApiSocket(UniqueFd fd, std::string path, dev_t dev, ino_t ino);

  UniqueFd fd_;
  std::string path_;
  dev_t dev_ = 0;
  ino_t ino_ = 0;
};

// True when something accepts connections at `path` (a connect succeeds, or
// its backlog is full). Cheap: no request is sent.
[[nodiscard]] bool socket_answers(const std::string& path);

}  // namespace mimeo::daemon

// Unix stream sockets for the socket chardev: a listener that owns its path, and connect.
#pragma once

#include <sys/types.h>

#include <string>

#include "base/result.h"
#include "base/unique_fd.h"

namespace mimeo::chardev {

class UnixListener {
 public:
  // Listens on `path` with owner-only permissions (0600). A path that exists is replaced only
  // when it is a socket nobody listens on (left behind by a process that died); any other
  // file, or a live socket, is an error naming the path.
  // `backlog`: connections the kernel queues before accept (one for a
  // console, many for the daemon's API).
  static Result<UnixListener> create(const std::string& path, int backlog = 1);

  UnixListener(UnixListener&& other) noexcept;
  UnixListener& operator=(UnixListener&& other) noexcept;
  UnixListener(const UnixListener&) = delete;
  UnixListener& operator=(const UnixListener&) = delete;
  // Removes the socket file, if the path still names the socket this listener created.
  ~UnixListener();

  [[nodiscard]] int fd() const { return fd_.get(); }
  [[nodiscard]] const std::string& path() const { return path_; }
  // The next pending client, as a non-blocking close-on-exec descriptor. The listener itself
  // is non-blocking: poll fd() for POLLIN first (EAGAIN when no client is pending).
  Result<UniqueFd> accept() const;
  // Stops listening and removes the socket file (as the destructor does). Idempotent.
  void close();

 private:
  UnixListener(UniqueFd fd, std::string path, dev_t dev, ino_t ino);
  void remove_path();

  UniqueFd fd_;
  std::string path_;
  dev_t dev_ = 0;
  ino_t ino_ = 0;
};

// Connects to the socket at `path`; the result is non-blocking and close-on-exec.
Result<UniqueFd> connect_unix(const std::string& path);

// True when something accepts connections at `path` (a non-blocking connect
// succeeds, or finds the backlog full). Sends nothing.
[[nodiscard]] bool socket_answers(const std::string& path);

}  // namespace mimeo::chardev

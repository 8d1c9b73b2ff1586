// A worker's control socket: a Unix stream socket (0600) that serves one client
// at a time, one request line in and one reply line out (control_protocol.h).
// It has no thread: the worker polls poll_fd() with everything else and calls
// on_readable(). The next client is accepted once the current one hangs up.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "base/unique_fd.h"
#include "chardev/unix_socket.h"
#include "worker/line_reader.h"

namespace mimeo::worker {

class ControlServer {
 public:
  struct Reply {
    std::string line;    // ending in "\n"
    bool final = false;  // read no further requests (the worker is stopping)
  };
  using Handler = std::function<Reply(std::string_view request)>;

  // Listens on `path`: a stale socket there is replaced, anything else refused
  // (chardev::UnixListener). The socket file is removed on destruction.
  static Result<ControlServer> listen(const std::string& path);

  // Poll this for POLLIN: the client while one is connected, else the listener.
  [[nodiscard]] int poll_fd() const;
  [[nodiscard]] bool has_client() const { return client_.valid(); }
  // After poll_fd() was readable: accepts a client, or reads what the client
  // sent and answers each whole request line with `handle`. The client is
  // closed when it hangs up, sends a line longer than kMaxRequestLine (after
  // an error reply) or does not take its replies.
  void on_readable(const Handler& handle);

 private:
  explicit ControlServer(chardev::UnixListener listener);
  void read_client(const Handler& handle);
  // False when the reply could not be sent whole.
  bool send(const std::string& line);
  void close_client();

  chardev::UnixListener listener_;
  UniqueFd client_;
  LineReader reader_;
  bool finished_ = false;  // a final reply was sent
};

}  // namespace mimeo::worker

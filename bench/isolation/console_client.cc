#include "console_client.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "chardev/unix_socket.h"

namespace mimeo::bench {

Result<ConsoleClient> ConsoleClient::connect(const std::string& path) {
  MIMEO_ASSIGN_OR_RETURN(UniqueFd fd, chardev::connect_unix(path));
  return ConsoleClient(std::move(fd), path);
}

Status ConsoleClient::send(const std::string& text) {
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::send(fd_.get(), text.data() + done, text.size() - done, MSG_NOSIGNAL);
    if (n > 0) {
      done += static_cast<size_t>(n);
    } else if (n < 0 && errno == EAGAIN) {
      pollfd p{fd_.get(), POLLOUT, 0};
      (void)::poll(&p, 1, 100);
    } else if (!(n < 0 && errno == EINTR)) {
      return errno_error("console " + path_ + ": send");
    }
  }
  return {};
}

Status ConsoleClient::wait_for_line(const std::string& line, Clock::time_point deadline) {
  for (;;) {
    for (size_t newline; (newline = buffer_.find('\n')) != std::string::npos;) {
      std::string got = buffer_.substr(0, newline);
      buffer_.erase(0, newline + 1);
      if (!got.empty() && got.back() == '\r') {
        got.pop_back();
      }
      if (got == line) {
        return {};
      }
    }
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) {
      return make_error("console " + path_ + ": no '" + line + "' in time");
    }
    pollfd p{fd_.get(), POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) {
      continue;  // EINTR, or the deadline (checked above)
    }
    char chunk[256];
    const ssize_t n = ::read(fd_.get(), chunk, sizeof chunk);
    if (n == 0) {
      return make_error("console " + path_ + ": the clone hung up");
    }
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) {
        continue;
      }
      return errno_error("console " + path_ + ": read");
    }
    buffer_.append(chunk, static_cast<size_t>(n));
  }
}

Status ConsoleClient::ping(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  MIMEO_TRY(send("ping\n"));
  return wait_for_line("pong", deadline);
}

}  // namespace mimeo::bench

#include "e2e/line_channel.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>

namespace mimeo::e2e {

namespace {

using Clock = std::chrono::steady_clock;

int remaining_ms(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count();
  return left > 0 ? static_cast<int>(left) : 0;
}

}  // namespace

namespace {
void set_nonblocking(int fd) {
  if (fd >= 0) {
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  }
}
}  // namespace

LineChannel::LineChannel(UniqueFd fd) : fd_(std::move(fd)) { set_nonblocking(fd_.get()); }

LineChannel::LineChannel(UniqueFd in, UniqueFd out) : fd_(std::move(in)), out_(std::move(out)) {
  set_nonblocking(fd_.get());
  set_nonblocking(out_.get());
}

void LineChannel::close_output() {
  if (out_.valid()) {
    out_.reset();
  } else if (fd_.valid()) {
    ::shutdown(fd_.get(), SHUT_WR);
  }
}

bool LineChannel::read_available() {
  if (!fd_.valid() || eof_) {
    return false;
  }
  char buffer[4096];
  for (;;) {
    ssize_t n = ::read(fd_.get(), buffer, sizeof buffer);
    if (n > 0) {
      pending_.append(buffer, static_cast<size_t>(n));
      all_.append(buffer, static_cast<size_t>(n));
      continue;
    }
    if (n == 0) {
      eof_ = true;
      return false;
    }
    if (errno == EINTR) {
      continue;
    }
    if (errno == EAGAIN) {
      return true;
    }
    eof_ = true;  // ECONNRESET and the like: nothing more will come
    return false;
  }
}

std::optional<std::string> LineChannel::take_line() {
  size_t newline = pending_.find('\n');
  if (newline == std::string::npos) {
    return std::nullopt;
  }
  std::string line = pending_.substr(0, newline);
  pending_.erase(0, newline + 1);
  std::erase(line, '\r');
  return line;
}

std::optional<std::string> LineChannel::next_line(milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    if (auto line = take_line()) {
      return line;
    }
    if (!read_available()) {
      return take_line();
    }
    if (auto line = take_line()) {
      return line;
    }
    pollfd p{fd_.get(), POLLIN, 0};
    int left = remaining_ms(deadline);
    if (left == 0 || ::poll(&p, 1, left) == 0) {
      return std::nullopt;
    }
  }
}

bool LineChannel::wait_for_line(const std::string& line, milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    auto next = next_line(milliseconds(remaining_ms(deadline)));
    if (!next) {
      return false;
    }
    if (*next == line) {
      return true;
    }
  }
  return false;
}

bool LineChannel::send_line(const std::string& line) {
  std::string data = line + "\n";
  size_t done = 0;
  const auto deadline = Clock::now() + milliseconds(5000);
  while (done < data.size()) {
    ssize_t n = ::write(out_fd(), data.data() + done, data.size() - done);
    if (n > 0) {
      done += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0 && errno == EAGAIN && Clock::now() < deadline) {
      pollfd p{out_fd(), POLLOUT, 0};
      ::poll(&p, 1, remaining_ms(deadline));
      continue;
    }
    return false;
  }
  return true;
}

std::string ask(LineChannel& channel, const std::string& command, milliseconds timeout) {
  if (!channel.send_line(command)) {
    return "(could not send '" + command + "')";
  }
  auto answer = channel.next_line(timeout);
  return answer
             ? *answer
             : "(no answer to '" + command + "' within " + std::to_string(timeout.count()) + " ms)";
}

}  // namespace mimeo::e2e

// A Beast SyncReadStream and SyncWriteStream over a connected socket's
// descriptor, with what Asio's synchronous sockets lack: a deadline for every
// wait, and a stop descriptor (an eventfd) that ends every wait when it
// becomes readable, from any thread. Calls first try the socket without
// waiting, so what fits in the socket buffer is sent even after a stop.
// Internal to the daemon layer: include only from the .cc files that use Beast.
#pragma once

#include <poll.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <array>
#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/beast/core/error.hpp>
#include <cerrno>
#include <chrono>

namespace mimeo::daemon {

class FdStream {
 public:
  using Clock = std::chrono::steady_clock;
  using error_code = boost::system::error_code;

  // `stop_fd` is -1 when nothing stops the stream but its deadline.
  FdStream(int fd, int stop_fd) : fd_(fd), stop_fd_(stop_fd) {}

  void expires_at(Clock::time_point deadline) { deadline_ = deadline; }
  void expires_after(std::chrono::milliseconds timeout) { deadline_ = Clock::now() + timeout; }

  // The stop descriptor is readable.
  [[nodiscard]] bool stopped() const {
    if (stop_fd_ < 0) {
      return false;
    }
    pollfd stop{stop_fd_, POLLIN, 0};
    return ::poll(&stop, 1, 0) > 0;
  }

  // Errors: asio::error::eof when the peer closed, beast::error::timeout past
  // the deadline, asio::error::operation_aborted on stop, or the errno.
  template <class MutableBuffers>
  size_t read_some(const MutableBuffers& buffers, error_code& ec) {
    msghdr message{};
    std::array<iovec, kMaxIov> iov{};
    message.msg_iov = iov.data();
    message.msg_iovlen = gather(buffers, iov);
    if (message.msg_iovlen == 0) {
      ec = {};
      return 0;
    }
    while (true) {
      ssize_t n = ::recvmsg(fd_, &message, MSG_DONTWAIT);
      if (n > 0) {
        ec = {};
        return static_cast<size_t>(n);
      }
      if (n == 0) {
        ec = boost::asio::error::eof;
        return 0;
      }
      if (!retry_after_wait(POLLIN, ec)) {
        return 0;
      }
    }
  }

  template <class ConstBuffers>
  size_t write_some(const ConstBuffers& buffers, error_code& ec) {
    msghdr message{};
    std::array<iovec, kMaxIov> iov{};
    message.msg_iov = iov.data();
    message.msg_iovlen = gather(buffers, iov);
    if (message.msg_iovlen == 0) {
      ec = {};
      return 0;
    }
    while (true) {
      ssize_t n = ::sendmsg(fd_, &message, MSG_DONTWAIT | MSG_NOSIGNAL);
      if (n >= 0) {
        ec = {};
        return static_cast<size_t>(n);
      }
      if (!retry_after_wait(POLLOUT, ec)) {
        return 0;
      }
    }
  }

  // The throwing forms the stream concepts require; the daemon only calls
  // Beast's error_code overloads, which use the forms above.
  template <class MutableBuffers>
  size_t read_some(const MutableBuffers& buffers) {
    error_code ec;
    size_t n = read_some(buffers, ec);
    if (ec) {
      throw boost::system::system_error(ec);
    }
    return n;
  }
  template <class ConstBuffers>
  size_t write_some(const ConstBuffers& buffers) {
    error_code ec;
    size_t n = write_some(buffers, ec);
    if (ec) {
      throw boost::system::system_error(ec);
    }
    return n;
  }

 private:
  static constexpr size_t kMaxIov = 16;

  template <class Buffers>
  static size_t gather(const Buffers& buffers, std::array<iovec, kMaxIov>& iov) {
    size_t count = 0;
    for (auto it = boost::asio::buffer_sequence_begin(buffers);
         it != boost::asio::buffer_sequence_end(buffers) && count < kMaxIov; ++it) {
      auto buffer = *it;
      if (buffer.size() != 0) {
        iov[count++] = {const_cast<void*>(static_cast<const void*>(buffer.data())), buffer.size()};
      }
    }
    return count;
  }

  // After a failed call: true when it is worth retrying (EINTR, or the socket
  // became ready); false with `ec` set otherwise.
  bool retry_after_wait(short events, error_code& ec) {
    if (errno == EINTR) {
      return true;
    }
    if (errno != EAGAIN && errno != EWOULDBLOCK) {
      ec = error_code(errno, boost::system::system_category());
      return false;
    }
    while (true) {
      auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline_ - Clock::now());
      if (left.count() <= 0) {
        ec = boost::beast::error::timeout;
        return false;
      }
      std::array<pollfd, 2> fds{pollfd{fd_, events, 0}, pollfd{stop_fd_, POLLIN, 0}};
      int ready = ::poll(fds.data(), stop_fd_ >= 0 ? 2 : 1,
                         static_cast<int>(std::min<int64_t>(left.count(), 1 << 30)));
      if (ready < 0 && errno != EINTR) {
        ec = error_code(errno, boost::system::system_category());
        return false;
      }
      if (ready > 0 && fds[1].revents != 0) {
        ec = boost::asio::error::operation_aborted;
        return false;
      }
      if (ready > 0 && fds[0].revents != 0) {
        return true;  // readable, writable, or an error the next call reports
      }
    }
  }

  int fd_;
  int stop_fd_;
  Clock::time_point deadline_ = Clock::time_point::max();
};

}  // namespace mimeo::daemon

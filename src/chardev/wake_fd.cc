#include "chardev/wake_fd.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cstdint>

namespace mimeo::chardev {

Result<WakeFd> WakeFd::create() {
  int fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (fd < 0) {
    return errno_error("eventfd");
  }
  return WakeFd(UniqueFd(fd));
}

void WakeFd::notify() const {
  uint64_t one = 1;
  // Fails only when the counter would overflow, in which case it is already readable.
  [[maybe_unused]] ssize_t n = ::write(fd_.get(), &one, sizeof one);
}

void WakeFd::drain() const {
  uint64_t count = 0;
  [[maybe_unused]] ssize_t n = ::read(fd_.get(), &count, sizeof count);
}

}  // namespace mimeo::chardev

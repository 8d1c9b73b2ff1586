#include "snapshot/byte_sink.h"

#include <unistd.h>

#include <cerrno>

namespace mimeo::snapshot {

Status FdSink::write(std::span<const uint8_t> data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd_, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return errno_error("write " + what_);
    }
    data = data.subspan(static_cast<size_t>(n));
  }
  return {};
}

}  // namespace mimeo::snapshot

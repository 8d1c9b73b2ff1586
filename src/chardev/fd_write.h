// Writes a whole buffer to a file descriptor: retries on EINTR and partial writes, and waits
// for POLLOUT when the descriptor is non-blocking and full.
#pragma once

#include <cstdint>
#include <span>

#include "base/result.h"

namespace mimeo::chardev {

// Fails with the errno of the failed write (the message says "write"; callers add context).
Status write_all(int fd, std::span<const uint8_t> bytes);

}  // namespace mimeo::chardev

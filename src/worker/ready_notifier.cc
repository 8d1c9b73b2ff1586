#include "worker/ready_notifier.h"

#include <fcntl.h>
#include <unistd.h>

#include <string>

#include "worker/control_protocol.h"

namespace mimeo::worker {

Result<ReadyNotifier> ReadyNotifier::adopt(int fd) {
  if (fd < 0) {
    return ReadyNotifier(UniqueFd());
  }
  const int flags = ::fcntl(fd, F_GETFD);
  if (flags < 0) {
    return errno_error("--notify-fd " + std::to_string(fd));
  }
  (void)::fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
  return ReadyNotifier(UniqueFd(fd));
}

void ReadyNotifier::ready() { send("ready\n"); }

// The same one-line form as the control socket's error replies.
void ReadyNotifier::error(std::string_view message) { send(error_reply(message)); }

void ReadyNotifier::send(const std::string& line) {
  if (!fd_) {
    return;
  }
  size_t done = 0;
  while (done < line.size()) {
    ssize_t n = ::write(fd_.get(), line.data() + done, line.size() - done);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      break;  // EPIPE (SIGPIPE is ignored) or another error: nobody reads
    }
    done += static_cast<size_t>(n);
  }
  fd_.reset();
}

}  // namespace mimeo::worker

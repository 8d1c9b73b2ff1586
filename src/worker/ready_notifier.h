// --notify-fd N of a clone worker: how the process that started it learns that
// it is warm ("ready\n") or why it failed ("error <message>\n"). One line, then
// the descriptor is closed.
#pragma once

#include <string_view>

#include "base/result.h"
#include "base/unique_fd.h"

namespace mimeo::worker {

class ReadyNotifier {
 public:
  // `fd` < 0: nobody to tell. Fails when `fd` is not an open descriptor; makes it
  // close-on-exec.
  static Result<ReadyNotifier> adopt(int fd);

  // Write errors (the reader is gone) are ignored: the worker goes on without it.
  void ready();
  void error(std::string_view message);

 private:
  explicit ReadyNotifier(UniqueFd fd) : fd_(std::move(fd)) {}
  void send(const std::string& line);

  UniqueFd fd_;
};

}  // namespace mimeo::worker

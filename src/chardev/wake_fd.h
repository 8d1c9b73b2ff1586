// An eventfd that wakes a thread blocked in poll(): notify() from any thread, drain() in the
// woken thread. Level-triggered, so a notify before the poll is never lost.
#pragma once

#include "base/result.h"
#include "base/unique_fd.h"

namespace mimeo::chardev {

class WakeFd {
 public:
  static Result<WakeFd> create();

  [[nodiscard]] int fd() const { return fd_.get(); }
  void notify() const;
  void drain() const;

 private:
  explicit WakeFd(UniqueFd fd) : fd_(std::move(fd)) {}
  UniqueFd fd_;
};

}  // namespace mimeo::chardev

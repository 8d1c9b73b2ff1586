// SIGINT, SIGTERM and SIGHUP stop the VM cleanly instead of killing mimeo:
// they are blocked in every thread and taken by one watcher thread from a
// signalfd; an eventfd ends the watcher at once when mimeo exits.
#pragma once

#include <functional>
#include <thread>

#include "base/unique_fd.h"

namespace mimeo::cli {

class StopSignals {
 public:
  // Call before any other thread starts, so that all inherit the mask.
  StopSignals();
  ~StopSignals();
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

  // Calls `on_signal` (from the watcher thread) with the signal's name.
  void watch(std::function<void(const char* name)> on_signal);

 private:
  UniqueFd signals_;
  UniqueFd wake_;
  std::thread watcher_;
};

}  // namespace mimeo::cli

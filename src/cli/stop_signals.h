// SIGINT, SIGTERM and SIGHUP stop the VM cleanly instead of killing mimeo:
// they are blocked in every thread and taken by one watcher thread.
#pragma once

#include <atomic>
#include <functional>
#include <thread>

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
  std::atomic<bool> done_{false};
  std::thread watcher_;
};

}  // namespace mimeo::cli

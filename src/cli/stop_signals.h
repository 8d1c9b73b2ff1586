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

  // Calls `on_signal` (from the watcher thread) with the signal's name, until
  // stop_watching() or destruction. The returned guard stops the watcher when
  // it goes out of scope: declare it after everything `on_signal` uses, so
  // the watcher is gone before those are.
  class Watch {
   public:
    explicit Watch(StopSignals& signals) : signals_(signals) {}
    ~Watch() { signals_.stop_watching(); }
    Watch(const Watch&) = delete;
    Watch& operator=(const Watch&) = delete;

   private:
    StopSignals& signals_;
  };
  [[nodiscard]] Watch watch(std::function<void(const char* name)> on_signal);
  // Ends the watcher thread (signals stay blocked); idempotent.
  void stop_watching();

 private:
  UniqueFd signals_;
  UniqueFd wake_;
  std::thread watcher_;
};

}  // namespace mimeo::cli

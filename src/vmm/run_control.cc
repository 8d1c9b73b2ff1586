#include "vmm/run_control.h"

namespace mimeo::vmm {

bool RunControl::wait_until_runnable(const std::function<void()>& before_park) {
  std::unique_lock lock(mutex_);
  if (pause_requested_ && !stop_report_) {
    if (before_park) {
      before_park();
    }
    ++parked_;
    changed_.notify_all();
    changed_.wait(lock, [&] { return !pause_requested_ || stop_report_; });
    --parked_;
  }
  return !stop_report_.has_value();
}

void RunControl::vcpu_exited() {
  std::lock_guard lock(mutex_);
  ++exited_;
  changed_.notify_all();
}

bool RunControl::pause(const std::function<void()>& kick) {
  std::unique_lock lock(mutex_);
  if (stop_report_) {
    return false;
  }
  if (state_ == RunState::kPaused) {
    return true;
  }
  pause_requested_ = true;
  lock.unlock();
  kick();
  lock.lock();
  changed_.wait(lock, [&] { return parked_ + exited_ == vcpus_ || stop_report_; });
  if (stop_report_) {
    return false;
  }
  state_ = RunState::kPaused;
  return true;
}

void RunControl::resume() {
  {
    std::lock_guard lock(mutex_);
    if (stop_report_) {
      return;
    }
    pause_requested_ = false;
    state_ = RunState::kRunning;
  }
  // After unlocking: a parked vCPU woken while the lock is held would only
  // block on it again (a handed-out warm clone's start is this wake-up).
  changed_.notify_all();
}

void RunControl::stop(const ExitReport& report) {
  bool first = false;
  {
    std::lock_guard lock(mutex_);
    if (!stop_report_) {
      stop_report_ = report;
      state_ = RunState::kStopped;
      first = true;
    }
    changed_.notify_all();
  }
  if (first && on_stop_) {
    on_stop_();
  }
}

ExitReport RunControl::wait_for_stop() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return stop_report_.has_value(); });
  return *stop_report_;
}

bool RunControl::stopping() const {
  std::lock_guard lock(mutex_);
  return stop_report_.has_value();
}

RunState RunControl::state() const {
  std::lock_guard lock(mutex_);
  return state_;
}

void RunControl::set_running() {
  std::lock_guard lock(mutex_);
  if (!stop_report_) {
    state_ = RunState::kRunning;
  }
}

void RunControl::start_paused() {
  std::lock_guard lock(mutex_);
  pause_requested_ = true;
  state_ = RunState::kPaused;
}

}  // namespace mimeo::vmm

// The shared run state of a VM's vCPU threads: running, paused (every vCPU
// parked outside KVM_RUN, so its state can be read or written) or stopping.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>

#include "vmm/exit_report.h"

namespace mimeo::vmm {

enum class RunState { kCreated, kRunning, kPaused, kStopped };

class RunControl {
 public:
  // `on_stop` is called once, by the first stop(), after the lock is released.
  explicit RunControl(uint32_t vcpus, std::function<void()> on_stop = {})
      : vcpus_(vcpus), on_stop_(std::move(on_stop)) {}

  // Called by a vCPU thread before each KVM_RUN: parks while paused; returns
  // false when the thread must end. `before_park` runs (once, under the lock)
  // just before the thread parks, so the vCPU can finish what its last exit
  // left pending while nobody can yet read its state.
  bool wait_until_runnable(const std::function<void()>& before_park = {});
  // Called by a vCPU thread when it ends.
  void vcpu_exited();

  // Asks every vCPU to park and waits until all have; `kick` forces them out
  // of KVM_RUN. Returns false if the VM stopped meanwhile.
  bool pause(const std::function<void()>& kick);
  void resume();
  // Records why the VM stops (the first reason wins) and wakes everyone.
  void stop(const ExitReport& report);
  // Blocks until stop() was called.
  ExitReport wait_for_stop();
  [[nodiscard]] bool stopping() const;
  [[nodiscard]] RunState state() const;
  void set_running();
  // Before the vCPU threads start: they park at once (QEMU's -S).
  void start_paused();

 private:
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  uint32_t vcpus_;
  const std::function<void()> on_stop_;
  uint32_t parked_ = 0;
  uint32_t exited_ = 0;
  RunState state_ = RunState::kCreated;
  bool pause_requested_ = false;
  std::optional<ExitReport> stop_report_;
};

}  // namespace mimeo::vmm

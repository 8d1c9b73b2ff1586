// One clone as the in-process model would run it: a vmm::Machine in the
// caller's process, restored from the template, its vCPU threads parked
// until start(); COM1 on a Unix socket, with the user's end connected here.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "base/result.h"
#include "console_client.h"
#include "faulting_console.h"
#include "vmm/machine.h"
#include "vmm/machine_config.h"

namespace mimeo::bench {

class InProcessClone {
 public:
  // `config` is the clone plan's machine; what `mimeo worker` does before
  // "ready", in this process.
  static Result<std::unique_ptr<InProcessClone>> restore(vmm::MachineConfig config,
                                                         const std::string& state_path,
                                                         const std::string& console_path);
  // Stops the VM and waits for its vCPU threads.
  ~InProcessClone();
  InProcessClone(const InProcessClone&) = delete;
  InProcessClone& operator=(const InProcessClone&) = delete;

  [[nodiscard]] Status connect_console(const std::string& console_path);
  // Lets the parked vCPUs run (the worker's `start`).
  [[nodiscard]] Status start() { return machine_->resume(); }
  [[nodiscard]] Status pause() { return machine_->pause(); }
  [[nodiscard]] ConsoleClient& console() { return *console_; }
  [[nodiscard]] FaultingConsole& serial() { return *serial_; }

 private:
  InProcessClone() = default;

  std::shared_ptr<FaultingConsole> serial_;
  std::unique_ptr<vmm::Machine> machine_;  // after serial_: destroyed first
  std::optional<ConsoleClient> console_;
};

}  // namespace mimeo::bench

// Running one VM in the foreground, as `mimeo run` and `mimeo clone` do: open
// COM1's backend, create the machine, start it, take stop signals and
// Ctrl-a x, and print why it stopped.
#pragma once

#include <functional>
#include <string>

#include "cli/run_plan.h"
#include "vmm/machine.h"

namespace mimeo::cli {

struct ForegroundHooks {
  // Names the command in messages: "mimeo run", "mimeo clone".
  std::string command = "mimeo run";
  // After the machine is created, before its vCPUs start (e.g. restore state).
  std::function<Status(vmm::Machine&)> before_start;
  // Right after the vCPUs started.
  std::function<void(vmm::Machine&)> after_start;
};

// Returns the process exit status (vmm::process_status, or 1 on errors).
int run_in_foreground(const RunPlan& plan, const ForegroundHooks& hooks);

}  // namespace mimeo::cli

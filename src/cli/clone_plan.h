// What a clone of a template runs: `mimeo clone DIR` and `mimeo worker
// --template DIR` build it here, so both check the untrusted template.json the
// same way (docs/templating.md, "mimeo clone").
#pragma once

#include <string>
#include <vector>

#include "base/result.h"
#include "cli/run_plan.h"

namespace mimeo::cli {

struct ClonePlan {
  // The template's machine (MachineConfig::incoming set) with the user's
  // options added.
  RunPlan run;
  std::string state_path;  // DIR/state: restore it before the vCPUs start
};

// Reads DIR/template.json and builds the clone's plan from its clone options
// and `user_options` (only -serial, -chardev, -qmp, -uuid, -name, -S and
// -display/-nographic). Fails with one line: errors in the template's options
// name DIR/template.json, errors in the user's name the option. Opens nothing
// but template.json; the state stream and RAM files are checked when the
// machine is created and restored.
[[nodiscard]] Result<ClonePlan> plan_clone(const std::string& dir,
                                           const std::vector<std::string>& user_options);

}  // namespace mimeo::cli

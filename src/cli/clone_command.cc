#include <cstdio>

#include "cli/clone_plan.h"
#include "cli/foreground_vm.h"
#include "cli/template_commands.h"
#include "snapshot/stream_file.h"

namespace mimeo::cli {

int clone_command(const CloneOptions& options) {
  auto plan = plan_clone(options.dir, options.extra);
  if (!plan.ok()) {
    std::fprintf(stderr, "mimeo clone: %s\n", plan.error().describe().c_str());
    return 1;
  }
  const std::string& state_path = plan->state_path;
  ForegroundHooks hooks;
  hooks.command = "mimeo clone";
  hooks.before_start = [&state_path](vmm::Machine& machine) -> Status {
    MIMEO_ASSIGN_OR_RETURN(auto stream, snapshot::read_stream_file(state_path));
    return machine.restore_state(stream.stream());
  };
  hooks.after_start = [](vmm::Machine& machine) {
    const auto identity = machine.identity();
    std::fprintf(stderr, "mimeo clone: uuid %s generation-id %s\n", identity.uuid_string().c_str(),
                 identity.generation_id_hex().c_str());
  };
  return run_in_foreground(plan->run, hooks);
}

}  // namespace mimeo::cli

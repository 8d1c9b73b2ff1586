#include <fmt/format.h>

#include <cstdio>
#include <set>

#include "cli/foreground_vm.h"
#include "cli/template_commands.h"
#include "cli/template_dir.h"
#include "snapshot/stream_file.h"

namespace mimeo::cli {

namespace {

int fail(const std::string& message) {
  std::fprintf(stderr, "mimeo clone: %s\n", message.c_str());
  return 1;
}

// What a user may add to a clone: where its console and control go, and its
// name and UUID. The rest of the machine is the template's.
Status check_extra_options(const RunOptions& extra) {
  if (extra.memory || extra.smp || extra.machine || extra.cpu || !extra.objects.empty() ||
      !extra.numa.empty() || !extra.devices.empty() || extra.kernel || extra.append ||
      extra.initrd || extra.incoming) {
    return make_error(
        "a clone takes only -serial, -chardev, -qmp, -uuid, -name, -S and -display/-nographic; "
        "its machine is the template's");
  }
  return {};
}

}  // namespace

int clone_command(const CloneOptions& options) {
  auto info = read_template_info(options.dir);
  if (!info.ok()) {
    return fail(info.error().describe());
  }
  auto extra = parse_run_options(options.extra);
  if (!extra.ok()) {
    return fail(extra.error().describe());
  }
  if (auto checked = check_extra_options(*extra); !checked.ok()) {
    return fail(checked.error().describe());
  }
  auto args = clone_options_for(*info, options.dir);
  auto user_args = format_run_options(*extra);
  args.insert(args.end(), user_args.begin(), user_args.end());
  auto run_options = parse_run_options(args);
  if (!run_options.ok()) {
    return fail(options.dir + "/template.json: " + run_options.error().describe());
  }
  const bool paused = run_options->start_paused;
  run_options->start_paused = false;
  auto plan = build_run_plan(*run_options);
  if (!plan.ok()) {
    return fail(options.dir + "/template.json: " + plan.error().describe());
  }
  plan->machine.incoming = true;
  plan->machine.start_paused = paused;

  const std::string state_path = options.dir + "/" + kTemplateState;
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
  return run_in_foreground(*plan, hooks);
}

}  // namespace mimeo::cli

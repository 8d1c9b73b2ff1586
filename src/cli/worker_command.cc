#include "cli/worker_command.h"

#include <cstdio>
#include <string>
#include <utility>

#include "cli/clone_plan.h"
#include "worker/process_setup.h"
#include "worker/ready_notifier.h"
#include "worker/worker.h"

namespace mimeo::cli {

namespace {

Status check_options(const WorkerOptions& options) {
  if (!options.unexpected.empty()) {
    return make_error("unexpected argument '" + options.unexpected.front() +
                      "' (mimeo worker --template DIR --id ID --control PATH --console PATH "
                      "[--notify-fd N] [--idle-until-start])");
  }
  const std::pair<const std::string*, const char*> required[] = {
      {&options.template_dir, "--template"},
      {&options.id, "--id"},
      {&options.control, "--control"},
      {&options.console, "--console"}};
  for (const auto& [value, name] : required) {
    if (value->empty()) {
      return make_error(std::string(name) + " is required");
    }
  }
  if (options.control == options.console) {
    return make_error("--control and --console must be different paths");
  }
  return {};
}

// Everything up to "ready"; the worker is then warm.
Result<std::unique_ptr<worker::Worker>> prepare(const WorkerOptions& options) {
  // First, before any thread exists: every thread inherits the signal mask.
  MIMEO_ASSIGN_OR_RETURN(UniqueFd signal_fd, worker::isolate_worker_process());
  MIMEO_TRY(check_options(options));
  MIMEO_TRY(worker::check_worker_id(options.id));
  // The same plan and checks of the untrusted template.json as `mimeo clone DIR`.
  MIMEO_ASSIGN_OR_RETURN(ClonePlan plan, plan_clone(options.template_dir, {}));
  for (const auto& note : plan.run.notes) {
    std::fprintf(stderr, "mimeo worker: note: %s\n", note.c_str());
  }
  worker::WorkerSetup setup;
  setup.id = options.id;
  setup.control_path = options.control;
  setup.console_path = options.console;
  setup.machine = std::move(plan.run.machine);
  setup.state_path = std::move(plan.state_path);
  setup.signal_fd = std::move(signal_fd);
  setup.idle_until_start = options.idle_until_start;
  return worker::Worker::prepare(std::move(setup));
}

}  // namespace

int worker_command(const WorkerOptions& options) {
  auto notifier = worker::ReadyNotifier::adopt(options.notify_fd);
  if (!notifier.ok()) {
    std::fprintf(stderr, "mimeo worker: %s\n", notifier.error().describe().c_str());
    return 1;
  }
  auto worker = prepare(options);
  if (!worker.ok()) {
    const std::string message = worker.error().describe();
    notifier->error(message);
    std::fprintf(stderr, "mimeo worker: %s\n", message.c_str());
    return 1;
  }
  notifier->ready();
  return (*worker)->serve();
}

}  // namespace mimeo::cli

#include "cli/run_command.h"

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include "chardev/open_chardev.h"
#include "cli/boot_files.h"
#include "cli/foreground_vm.h"
#include "cli/progress_bar.h"
#include "cli/run_plan.h"
#include "cli/stop_requests.h"
#include "cli/stop_signals.h"
#include "qmp/machine_backend.h"
#include "qmp/qmp_server.h"
#include "vmm/machine.h"

namespace mimeo::cli {

namespace {

int fail(const std::string& command, const Error& error) {
  std::fprintf(stderr, "%s: %s\n", command.c_str(), error.describe().c_str());
  return 1;
}

// A stop while -serial waits for its first client: nothing but the listening
// socket exists, and the wait cannot be interrupted, so the process ends here.
[[noreturn]] void abandon_start(const std::optional<chardev::ChardevSpec>& serial,
                                const std::string& reason) {
  struct stat st {};
  if (serial && serial->backend == chardev::Backend::kSocket && serial->server &&
      ::lstat(serial->path.c_str(), &st) == 0 && S_ISSOCK(st.st_mode)) {
    ::unlink(serial->path.c_str());
  }
  std::fprintf(stderr,
               "mimeo: VM stopped on request: %s (before it started: -serial was "
               "waiting for its first client)\n",
               reason.c_str());
  std::_Exit(0);
}

}  // namespace

int run_in_foreground(const RunPlan& run_plan, const ForegroundHooks& hooks) {
  StopSignals signals;
  const RunPlan* plan = &run_plan;  // the start-up code reads it through a pointer
  const std::string& command = hooks.command;
  if (!plan->machine.incoming) {
    if (auto boot_files = check_boot_files(plan->machine); !boot_files.ok()) {
      return fail(command, boot_files.error());
    }
  }
  for (const auto& note : plan->notes) {
    std::fprintf(stderr, "%s: note: %s\n", command.c_str(), note.c_str());
  }

  // Stop requests are taken from here on, also before the VM exists.
  StopRequests stops([&plan](const std::string& reason) { abandon_start(plan->serial, reason); });
  std::atomic<qmp::QmpServer*> waiting_server{nullptr};  // while -qmp ...,wait=on waits
  const auto watching = signals.watch([&stops, &waiting_server](const char* name) {
    stops.stop(fmt::format("SIG{}", name));
    if (auto* server = waiting_server.load()) {
      server->stop_waiting();
    }
  });

  std::unique_ptr<vmm::Machine> machine;
  vmm::MachineIo io;
  if (plan->serial) {
    stops.set_abandon_start(true);
    auto serial = chardev::open_chardev(
        *plan->serial, {.quit = [&stops] { stops.stop("Ctrl-a x on the console"); }});
    stops.set_abandon_start(false);
    if (!serial.ok()) {
      return fail(command, serial.error().context("-serial"));
    }
    io.serial = std::move(serial.value());
  }
  ProgressBar progress("prealloc");
  io.prealloc_progress = [&progress](uint64_t done, uint64_t total) {
    progress.update(done, total);
  };
  auto created = vmm::Machine::create(plan->machine, io);
  if (!created.ok()) {
    return fail(command, created.error());
  }
  machine = std::move(created.value());
  if (auto reason = stops.pending()) {  // while memory was prepared: the guest never runs
    std::fprintf(stderr, "mimeo: VM stopped on request: %s\n", reason->c_str());
    return 0;
  }
  if (hooks.before_start) {
    if (auto ready = hooks.before_start(*machine); !ready.ok()) {
      return fail(command, ready.error());
    }
  }
  // QMP's view of the VM: it starts the vCPUs (now, or on `cont`) and keeps
  // QEMU's run states.
  const qmp::StartMode mode = plan->incoming       ? qmp::StartMode::kIncoming
                              : plan->start_paused ? qmp::StartMode::kPrelaunch
                                                   : qmp::StartMode::kRun;
  qmp::MachineBackend backend(*machine, mode);
  if (plan->incoming_uri) {
    if (auto restored = backend.migrate_incoming(*plan->incoming_uri); !restored.ok()) {
      return fail(command, restored.error().context("-incoming"));
    }
  }
  std::unique_ptr<qmp::QmpServer> server;
  if (plan->qmp) {
    auto started = qmp::QmpServer::start(*plan->qmp, backend, {.name = plan->name});
    if (!started.ok()) {
      return fail(command, started.error());
    }
    server = std::move(started.value());
  }
  if (mode == qmp::StartMode::kRun) {
    if (auto started = backend.start(); !started.ok()) {
      return fail(command, started.error());
    }
  } else if (!server) {
    // -incoming URI without QMP: nothing else could send `cont`.
    if (auto resumed = backend.cont(); !resumed.ok()) {
      return fail(command, resumed.error());
    }
  }
  if (hooks.after_start) {
    hooks.after_start(*machine);
  }
  stops.attach(machine.get());
  if (server && plan->qmp->wait) {
    waiting_server.store(server.get());
    if (!server->wait_for_client()) {
      machine->request_stop(stops.pending().value_or("stopped while -qmp waited for a client"));
    }
    waiting_server.store(nullptr);
  }
  vmm::ExitReport report = backend.wait();
  stops.detach();
  if (server) {
    server->vm_stopped(report);
    server.reset();
  }
  std::fprintf(stderr, "mimeo: %s\n", vmm::describe(report).c_str());
  return vmm::process_status(report);
}

int run_command(const std::vector<std::string>& args) {
  auto options = parse_run_options(args);
  if (!options.ok()) {
    return fail("mimeo run", options.error());
  }
  auto plan = build_run_plan(*options);
  if (!plan.ok()) {
    return fail("mimeo run", plan.error());
  }
  return run_in_foreground(*plan, {});
}

}  // namespace mimeo::cli

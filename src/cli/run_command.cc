#include "cli/run_command.h"

#include <fmt/format.h>

#include <cstdio>
#include <memory>

#include "chardev/open_chardev.h"
#include "cli/boot_files.h"
#include "cli/progress_bar.h"
#include "cli/run_plan.h"
#include "cli/stop_signals.h"
#include "vmm/machine.h"

namespace mimeo::cli {

namespace {

int fail(const Error& error) {
  std::fprintf(stderr, "mimeo run: %s\n", error.describe().c_str());
  return 1;
}

}  // namespace

int run_command(const std::vector<std::string>& args) {
  StopSignals signals;
  auto options = parse_run_options(args);
  if (!options.ok()) {
    return fail(options.error());
  }
  auto plan = build_run_plan(*options);
  if (!plan.ok()) {
    return fail(plan.error());
  }
  if (auto boot_files = check_boot_files(plan->machine); !boot_files.ok()) {
    return fail(boot_files.error());
  }
  for (const auto& note : plan->notes) {
    std::fprintf(stderr, "mimeo run: note: %s\n", note.c_str());
  }

  std::unique_ptr<vmm::Machine> machine;
  vmm::MachineIo io;
  if (plan->serial) {
    auto serial = chardev::open_chardev(*plan->serial, {.quit = [&machine] {
      if (machine) {
        machine->request_stop("Ctrl-a x on the console");
      }
    }});
    if (!serial.ok()) {
      return fail(serial.error().context("-serial"));
    }
    io.serial = std::move(serial.value());
  }
  ProgressBar progress("prealloc");
  io.prealloc_progress = [&progress](uint64_t done, uint64_t total) {
    progress.update(done, total);
  };
  auto created = vmm::Machine::create(plan->machine, io);
  if (!created.ok()) {
    return fail(created.error());
  }
  machine = std::move(created.value());
  signals.watch(
      [&machine](const char* name) { machine->request_stop(fmt::format("SIG{}", name)); });
  if (auto started = machine->start(); !started.ok()) {
    return fail(started.error());
  }
  vmm::ExitReport report = machine->wait();
  std::fprintf(stderr, "mimeo: %s\n", vmm::describe(report).c_str());
  return vmm::process_status(report);
}

}  // namespace mimeo::cli

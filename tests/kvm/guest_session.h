// Boots the test guest in-process through vmm::Machine, built from the same
// QEMU-style options a user would pass to `mimeo run`.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "cli/run_options.h"
#include "cli/run_plan.h"
#include "vmm/line_console.h"
#include "vmm/machine.h"

namespace mimeo::testing {

inline bool have_kvm() { return ::access("/dev/kvm", R_OK | W_OK) == 0; }

struct GuestSession {
  std::shared_ptr<vmm::LineConsole> console = std::make_shared<vmm::LineConsole>();
  std::unique_ptr<vmm::Machine> machine;

  // Creates the machine from `args` (the options after `mimeo run`).
  Status create(std::vector<std::string> args) {
    auto options = cli::parse_run_options(args);
    if (!options.ok()) {
      return options.error();
    }
    auto plan = cli::build_run_plan(*options);
    if (!plan.ok()) {
      return plan.error();
    }
    vmm::MachineIo io;
    io.serial = console;
    auto created = vmm::Machine::create(plan->machine, io);
    if (!created.ok()) {
      return created.error();
    }
    machine = std::move(created.value());
    return {};
  }

  // Creates, starts and waits for `mimeo-guest ready`.
  Status boot(std::vector<std::string> args) {
    MIMEO_TRY(create(std::move(args)));
    MIMEO_TRY(machine->start());
    if (!wait_ready()) {
      return make_error("guest not ready; console: " + console->transcript());
    }
    return {};
  }

  bool wait_ready() {
    return console
        ->wait_for_line([](const std::string& l) { return l == "mimeo-guest ready"; },
                        std::chrono::seconds(60))
        .has_value();
  }

  std::string ask(const std::string& command) {
    console->send(command + "\n");
    return console->next_line(std::chrono::seconds(60)).value_or("(no answer)");
  }

  ~GuestSession() {
    if (machine && machine->state() != vmm::RunState::kStopped) {
      machine->request_stop("test ended");
      machine->wait();
    }
  }
};

// The options every test boot shares: the PVH guest and the exit device.
inline std::vector<std::string> guest_args(std::vector<std::string> extra,
                                           const std::string& kernel = MIMEO_GUEST_ELF) {
  std::vector<std::string> args = {"-kernel", kernel, "-device",
                                   "isa-debug-exit,iobase=0xf4,iosize=1"};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

}  // namespace mimeo::testing

// Restoring one vCPU (x86::restore_vcpu, through Machine::restore_vcpus with
// -smp 1) on a real KVM vCPU: the test guest is booted to its ready line, paused,
// its vCPU saved, and the saved state written back in every iteration.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "cli/run_options.h"
#include "cli/run_plan.h"
#include "vmm/line_console.h"
#include "vmm/machine.h"

namespace mimeo {
namespace {

void BM_RestoreOneVcpu(benchmark::State& state) {
  if (::access("/dev/kvm", R_OK | W_OK) != 0) {
    state.SkipWithError("/dev/kvm is not available");
    return;
  }
  auto options = cli::parse_run_options(
      {"-m", "64M", "-kernel", MIMEO_GUEST_ELF, "-device", "isa-debug-exit,iobase=0xf4,iosize=1"});
  if (!options.ok()) {
    state.SkipWithError(options.error().describe().c_str());
    return;
  }
  auto plan = cli::build_run_plan(*options);
  if (!plan.ok()) {
    state.SkipWithError(plan.error().describe().c_str());
    return;
  }
  auto console = std::make_shared<vmm::LineConsole>();
  vmm::MachineIo io;
  io.serial = console;
  auto machine = vmm::Machine::create(plan->machine, io);
  if (!machine.ok() || !(*machine)->start().ok()) {
    state.SkipWithError("the test guest's machine did not start");
    return;
  }
  auto& vm = *machine.value();
  const bool ready =
      console
          ->wait_for_line([](const std::string& l) { return l == "mimeo-guest ready"; },
                          std::chrono::seconds(60))
          .has_value();
  auto paused = ready ? vm.pause() : Status(make_error("guest not ready"));
  auto saved = paused.ok() ? vm.save_vcpus() : Result<std::vector<x86::VcpuState>>(paused.error());
  if (!saved.ok()) {
    state.SkipWithError(saved.error().describe().c_str());
  } else {
    for (auto _ : state) {
      auto restored = vm.restore_vcpus(*saved);
      if (!restored.ok()) {
        state.SkipWithError(restored.error().describe().c_str());
        break;
      }
    }
    state.counters["msrs"] = static_cast<double>(saved->front().msrs.size());
  }
  vm.request_stop("benchmark ended");
  vm.wait();
}
BENCHMARK(BM_RestoreOneVcpu)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace mimeo

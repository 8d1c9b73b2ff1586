#include "cli/demo_command.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "base/unique_fd.h"
#include "cli/run_plan.h"
#include "vmm/line_console.h"
#include "vmm/machine.h"

namespace mimeo::cli {

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr uint64_t kProbeAddress = 0x2000000;  // 32 MiB, inside the guest's 64 MiB
constexpr uint64_t kProbeValue = 0x6d696d656f2d6f6bULL;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

double ms(std::chrono::microseconds us) { return static_cast<double>(us.count()) / 1000.0; }

// Sends one command and waits for its one-line answer.
std::optional<std::string> ask(vmm::LineConsole& console, const std::string& command) {
  auto start = Clock::now();
  console.send(command + "\n");
  auto answer = console.next_line(milliseconds(60'000));
  std::printf("  > %-28s < %-40s (%.1f ms)\n", command.c_str(),
              answer ? answer->c_str() : "(no answer)", ms_since(start));
  return answer;
}

int fail(const std::string& message) {
  std::fprintf(stderr, "mimeo demo: %s\n", message.c_str());
  return 1;
}

}  // namespace

std::string default_guest_path() {
  std::error_code error;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", error);
  if (error) {
    return "guest/guest.elf";
  }
  return (exe.parent_path() / "guest" / "guest.elf").string();
}

int demo_command(const DemoOptions& options) {
  const std::string guest = options.guest.empty() ? default_guest_path() : options.guest;
  char dir_template[] = "/tmp/mimeo-demo-XXXXXX";
  if (::mkdtemp(dir_template) == nullptr) {
    return fail("cannot create a directory under /tmp");
  }
  const std::string dir = dir_template;
  const std::string ram_file = dir + "/ram";

  // The same options a user would give `mimeo run`: the templating document's
  // template configuration (RAM in a file, share=on), with microvm.
  RunOptions run;
  run.memory = "64M";
  run.objects = {"memory-backend-file,id=pc.ram,size=64M,mem-path=" + ram_file + ",share=on"};
  run.machine = "microvm,memory-backend=pc.ram";
  run.kernel = guest;
  run.devices = {"isa-debug-exit,iobase=0xf4,iosize=1"};
  run.serials = {"null"};
  auto plan = build_run_plan(run);
  if (!plan.ok()) {
    return fail(plan.error().describe());
  }
  std::printf("mimeo demo: booting the test guest %s\n", guest.c_str());
  std::printf("  mimeo run -m 64M -object %s -machine %s -kernel %s -device %s\n",
              run.objects[0].c_str(), run.machine->c_str(), guest.c_str(), run.devices[0].c_str());

  auto console = std::make_shared<vmm::LineConsole>();
  vmm::MachineIo io;
  io.serial = console;
  auto start = Clock::now();
  auto machine = vmm::Machine::create(plan->machine, io);
  if (!machine.ok()) {
    return fail(machine.error().describe());
  }
  const double create_ms = ms_since(start);
  const auto& t = (*machine)->timings();
  std::printf(
      "  VM created in %.2f ms (memory %.2f, kernel %.2f, vm %.2f, slots %.2f, irqchip %.2f, "
      "vcpus %.2f, devices %.2f)\n",
      create_ms, ms(t.memory), ms(t.kernel), ms(t.vm), ms(t.slots), ms(t.irqchip), ms(t.vcpus),
      ms(t.devices));
  if (auto started = (*machine)->start(); !started.ok()) {
    return fail(started.error().describe());
  }
  auto ready = console->wait_for_line([](const std::string& l) { return l == "mimeo-guest ready"; },
                                      milliseconds(60'000));
  if (!ready) {
    (*machine)->request_stop("demo: the guest did not become ready");
    return fail("the guest did not print 'mimeo-guest ready' within 60 s; it printed: " +
                console->transcript());
  }
  auto first = console->first_byte_time();
  std::printf("  first console byte %.1f ms and 'mimeo-guest ready' %.1f ms after the start\n",
              first ? std::chrono::duration<double, std::milli>(*first - start).count() : 0.0,
              ms_since(start));

  bool ok = ask(*console, "ping") == "pong";
  ok &= ask(*console, "mem").has_value();
  ok &= ask(*console, fmt::format("write 0x{:x} 0x{:x}", kProbeAddress, kProbeValue)) == "ok";
  ok &= ask(*console, fmt::format("read 0x{:x}", kProbeAddress)) ==
        fmt::format("0x{:016x}", kProbeValue);
  ok &= ask(*console, "dirty 2 7") == "dirtied 2 MiB";
  ok &= ask(*console, "sum").has_value();
  ok &= ask(*console, "ticks").has_value();
  console->send("exit 0\n");
  vmm::ExitReport report = (*machine)->wait();
  std::printf("  VM stopped: %s\n", vmm::describe(report).c_str());
  machine->reset();

  // The guest's RAM outlives the VM in the file (share=on): what a template is.
  uint64_t in_file = 0;
  UniqueFd fd(::open(ram_file.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd || ::pread(fd.get(), &in_file, sizeof in_file, kProbeAddress) != sizeof in_file) {
    return fail("cannot read " + ram_file);
  }
  std::printf("  RAM file %s (64 MiB) holds 0x%016llx at offset 0x%llx after the VM stopped%s\n",
              ram_file.c_str(), static_cast<unsigned long long>(in_file),
              static_cast<unsigned long long>(kProbeAddress),
              in_file == kProbeValue ? ", as the guest wrote it" : " (NOT what the guest wrote)");
  ok &= in_file == kProbeValue;
  std::filesystem::remove_all(dir);
  ok &= report.kind == vmm::ExitKind::kGuestExit && report.status == 1;
  std::printf("mimeo demo: %s\n", ok ? "ok" : "FAILED");
  return ok ? 0 : 1;
}

}  // namespace mimeo::cli

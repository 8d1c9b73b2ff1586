#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>

#include "base/unique_fd.h"
#include "base/version.h"
#include "cli/run_plan.h"
#include "cli/stop_requests.h"
#include "cli/stop_signals.h"
#include "cli/template_commands.h"
#include "cli/template_plan.h"
#include "cli/template_temp_dir.h"
#include "snapshot/byte_sink.h"
#include "snapshot/stream_file.h"
#include "vmm/line_console.h"
#include "vmm/machine.h"

namespace mimeo::cli {

namespace {

using Clock = std::chrono::steady_clock;

int fail(const std::string& message) {
  std::fprintf(stderr, "mimeo template create: %s\n", message.c_str());
  return 1;
}

std::string utc_now() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

Status fsync_path(const std::string& path, int flags) {
  UniqueFd fd(::open(path.c_str(), flags | O_CLOEXEC));
  if (!fd || ::fsync(fd.get()) != 0) {
    return errno_error("fsync " + path);
  }
  return {};
}

// Waits until the template is ready: a console line containing the text, or
// the time. Fails when the guest stops, the user interrupts, or it times out.
Status wait_until_ready(const TemplateCreateOptions& options, vmm::LineConsole& console,
                        vmm::Machine& machine) {
  const auto start = Clock::now();
  const auto deadline = start + std::chrono::duration<double>(options.timeout);
  const auto ready_time =
      options.ready_after ? start + std::chrono::duration<double>(*options.ready_after) : deadline;
  for (;;) {
    if (machine.state() == vmm::RunState::kStopped) {
      vmm::ExitReport report = machine.wait();
      return make_error("the VM stopped before it was ready: " + vmm::describe(report));
    }
    const auto now = Clock::now();
    if (!options.ready_on_serial && now >= ready_time) {
      return {};
    }
    if (now >= deadline) {
      return make_error(
          fmt::format("the guest was not ready after {} s (--timeout)", options.timeout));
    }
    if (options.ready_on_serial) {
      auto line = console.wait_for_line(
          [&](const std::string& l) {
            return l.find(*options.ready_on_serial) != std::string::npos;
          },
          std::chrono::milliseconds(50));
      if (line) {
        return {};
      }
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
}

}  // namespace

// Creating a template, so that an interrupted create never leaves anything
// that looks like one: everything is written under DIR.tmp-XXXXXX beside DIR,
// synced, made read-only, and only then renamed to DIR (and the parent synced).
int template_create_command(const TemplateCreateOptions& options) {
  StopSignals signals;
  namespace fs = std::filesystem;
  if (options.dir.empty()) {
    return fail("no template directory given");
  }
  if (options.ready_on_serial.has_value() == options.ready_after.has_value()) {
    return fail(
        "give one of --ready-on-serial TEXT and --ready-after SECONDS (when the template is "
        "ready to be saved)");
  }
  std::error_code error;
  if (fs::exists(fs::symlink_status(options.dir, error))) {
    return fail(options.dir + " already exists (a template is never overwritten)");
  }
  fs::path target = fs::absolute(options.dir, error).lexically_normal();
  if (!target.has_filename()) {  // "DIR/" names DIR: its temp dir goes beside it, not in it
    target = target.parent_path();
  }
  std::vector<std::string> abandoned;
  auto guard = TemplateTempDir::create(target, abandoned);
  for (const auto& path : abandoned) {
    std::fprintf(stderr,
                 "mimeo template create: removed %s, left by a template create that was "
                 "killed\n",
                 path.c_str());
  }
  if (!guard.ok()) {
    return fail(guard.error().describe());
  }
  const std::string temp_dir = guard->path();

  auto user = parse_run_options(options.run_options);
  if (!user.ok()) {
    return fail(user.error().describe());
  }
  auto plan = plan_template(*user, temp_dir);
  if (!plan.ok()) {
    return fail(plan.error().describe());
  }
  auto run = build_run_plan(plan->template_run);
  if (!run.ok()) {
    return fail(run.error().describe());
  }

  auto console = std::make_shared<vmm::LineConsole>(
      options.quiet ? std::function<void(std::span<const uint8_t>)>{}
                    : [](std::span<const uint8_t> bytes) {
                        std::fwrite(bytes.data(), 1, bytes.size(), stdout);
                        std::fflush(stdout);
                      });
  vmm::MachineIo io;
  io.serial = console;
  const auto start = Clock::now();
  auto machine = vmm::Machine::create(run->machine, io);
  if (!machine.ok()) {
    return fail(machine.error().describe());
  }
  StopRequests stops([](const std::string&) {});
  // A stop that comes after the VM was frozen must still prevent the publication.
  std::atomic<const char*> stopped_by{nullptr};
  const auto watching = signals.watch([&stops, &stopped_by](const char* name) {
    stopped_by = name;
    stops.stop(fmt::format("SIG{}", name));
  });
  if (auto started = (*machine)->start(); !started.ok()) {
    return fail(started.error().describe());
  }
  stops.attach(machine->get());
  if (auto ready = wait_until_ready(options, *console, **machine); !ready.ok()) {
    stops.detach();
    (*machine)->request_stop("template create failed");
    (*machine)->wait();
    return fail(ready.error().describe() + "; nothing was created");
  }
  if (auto paused = (*machine)->pause(); !paused.ok()) {
    stops.detach();
    return fail("the VM stopped while it was being frozen; nothing was created");
  }
  const double ready_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();

  // The state stream, with RAM left in the share=on files (x-ignore-shared).
  const std::string state_path = temp_dir + "/" + kTemplateState;
  uint64_t state_bytes = 0;
  auto saved = snapshot::write_file_atomically(state_path, [&](int fd) -> Status {
    snapshot::FdSink sink(fd, state_path);
    MIMEO_ASSIGN_OR_RETURN(auto report, (*machine)->save_state({.ignore_shared = true}, sink));
    (void)report;
    struct stat st {};
    if (::fstat(fd, &st) == 0) {
      state_bytes = static_cast<uint64_t>(st.st_size);
    }
    return {};
  });
  if (!saved.ok()) {
    return fail(saved.error().describe() + "; nothing was created");
  }
  // The RAM files hold the guest's memory through MAP_SHARED: sync them.
  for (const auto& ram : plan->memory) {
    if (auto synced = fsync_path(temp_dir + "/" + ram.file, O_RDONLY); !synced.ok()) {
      return fail(synced.error().describe() + "; nothing was created");
    }
  }
  stops.detach();
  (*machine)->request_stop("template saved");
  (*machine)->wait();
  machine->reset();

  TemplateInfo info;
  info.mimeo_version = kVersion;
  info.created = utc_now();
  info.ready = options.ready_on_serial
                   ? "console line containing '" + *options.ready_on_serial + "'"
                   : fmt::format("{} s after start", options.ready_after.value_or(0));
  info.run_options = options.run_options;
  info.clone_options = format_run_options(plan->clone_run);
  info.memory = plan->memory;
  info.state_bytes = state_bytes;
  const std::string json = to_json(info);
  auto written = snapshot::write_file_atomically(temp_dir + "/" + kTemplateMetadata, [&](int fd) {
    if (::write(fd, json.data(), json.size()) != static_cast<ssize_t>(json.size())) {
      return Status(errno_error("write " + std::string(kTemplateMetadata)));
    }
    return Status();
  });
  if (!written.ok()) {
    return fail(written.error().describe() + "; nothing was created");
  }
  if (auto unmarked = guard->unmark(); !unmarked.ok()) {
    return fail(unmarked.error().describe() + "; nothing was created");
  }
  for (const auto& entry : fs::directory_iterator(temp_dir)) {
    ::chmod(entry.path().c_str(), 0444);
  }
  ::chmod(temp_dir.c_str(), 0555);
  if (auto synced = fsync_path(temp_dir, O_RDONLY | O_DIRECTORY); !synced.ok()) {
    return fail(synced.error().describe() + "; nothing was created");
  }
  if (const char* name = stopped_by.load()) {
    return fail(
        fmt::format("stopped by SIG{} before the template was published; nothing was "
                    "created",
                    name));
  }
  // The publication: one rename, which fails if DIR appeared meanwhile.
  if (::renameat2(AT_FDCWD, temp_dir.c_str(), AT_FDCWD, target.c_str(), RENAME_NOREPLACE) != 0) {
    ::chmod(temp_dir.c_str(), 0755);
    return fail(errno_error("rename " + temp_dir + " to " + target.string()).describe() +
                "; nothing was created");
  }
  guard->release();
  (void)fsync_path(target.parent_path().string(), O_RDONLY | O_DIRECTORY);
  std::printf("mimeo template create: %s is ready (%zu RAM file(s), state %llu bytes, %.0f ms)\n",
              target.c_str(), plan->memory.size(), static_cast<unsigned long long>(state_bytes),
              ready_ms);
  return 0;
}

}  // namespace mimeo::cli

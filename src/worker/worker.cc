#include "worker/worker.h"

#include <fmt/format.h>
#include <malloc.h>
#include <poll.h>
#include <unistd.h>

#include <array>
#include <cstdio>

#include "base/cpu_priority.h"
#include "chardev/socket_chardev.h"
#include "snapshot/stream_file.h"
#include "worker/process_setup.h"

namespace mimeo::worker {

Worker::Worker(WorkerSetup setup) : setup_(std::move(setup)) {}

Worker::~Worker() = default;

// In this order so that a bad --control creates nothing, and the costly part
// (the machine) comes after every cheap check.
Result<std::unique_ptr<Worker>> Worker::prepare(WorkerSetup setup) {
  MIMEO_TRY(check_worker_id(setup.id));
  std::unique_ptr<Worker> worker(new Worker(std::move(setup)));
  WorkerSetup& s = worker->setup_;
  MIMEO_ASSIGN_OR_RETURN(auto wake, chardev::WakeFd::create());
  worker->vm_stopped_.emplace(std::move(wake));
  auto control = ControlServer::listen(s.control_path);
  if (!control.ok()) {
    return control.error().context("--control");
  }
  worker->control_.emplace(std::move(*control));
  auto console = chardev::SocketChardev::listen("", s.console_path, /*wait=*/false);
  if (!console.ok()) {
    return console.error().context("--console");
  }
  vmm::MachineIo io;
  io.serial = std::move(console.value());
  io.on_stop = [stopped = &*worker->vm_stopped_] { stopped->notify(); };
  s.machine.incoming = true;
  // Warm: the vCPU threads exist and are parked; `start` only lets them run.
  s.machine.start_paused = true;
  MIMEO_ASSIGN_OR_RETURN(worker->machine_, vmm::Machine::create(s.machine, std::move(io)));
  {
    MIMEO_ASSIGN_OR_RETURN(auto stream, snapshot::read_stream_file(s.state_path));
    MIMEO_TRY(worker->machine_->restore_state(stream.stream()));
  }
  MIMEO_TRY(worker->machine_->start());
  // The stream and the plan are freed: give the heap back to the host, since
  // every idle warm clone is one of these processes.
  ::malloc_trim(0);
  if (s.idle_until_start) {
    // The costly part is done. The control loop's thread waits at normal
    // priority from here on: at idle priority, `start` would wait for its CPU
    // behind any other idle-priority work (another pool's restore) before
    // it could raise the rest.
    if (auto left = leave_idle_priority(0); !left.ok()) {
      worker->priority_trouble_ = left.error().describe();
      worker->log_priority_trouble();
    }
    // Every thread the machine will ever have exists now (vCPUs, console):
    // `start` moves exactly these, without reading /proc on its path.
    if (auto idle = own_idle_threads(); idle.ok()) {
      worker->idle_threads_ = std::move(*idle);
    } else {
      worker->priority_trouble_ = idle.error().describe();
      worker->log_priority_trouble();
    }
  }
  // The control loop's thread at SCHED_BATCH (base/cpu_priority.h): `start`
  // wakes it while the daemon's thread is still answering the request, often
  // on the same CPU, and at SCHED_OTHER it preempted that thread (quick runs:
  // HTTP answer p90 0.6 -> 0.35 ms). The vCPU and console threads are not
  // batch: they serve the guest.
  if (worker->priority_trouble_.empty()) {
    if (auto batch = set_thread_batch(0); !batch.ok()) {
      worker->priority_trouble_ = batch.error().describe();
      worker->log_priority_trouble();
    }
  }
  return worker;
}

int Worker::serve() {
  const int signal_fd = setup_.signal_fd.get();
  const auto handler = [this](std::string_view line) { return handle(line); };
  // The "started" log line waits this long after `start`: written at once,
  // it took the CPU (a write to the log file, ~45 us here) that the daemon's
  // answer and the guest's first instructions were about to need.
  constexpr int kStartedLogDelayMs = 20;
  for (;;) {
    std::array<pollfd, 3> fds{
        {{vm_stopped_->fd(), POLLIN, 0}, {signal_fd, POLLIN, 0}, {control_->poll_fd(), POLLIN, 0}}};
    const int ready = ::poll(fds.data(), fds.size(), started_now_ ? kStartedLogDelayMs : -1);
    if (ready < 0) {
      continue;  // EINTR
    }
    if (ready == 0) {
      log_started();
      continue;
    }
    if (fds[0].revents != 0) {
      return finish(std::nullopt);
    }
    if (fds[1].revents != 0 && termination_requested(signal_fd)) {
      return finish("SIGTERM");
    }
    if (fds[2].revents != 0) {
      control_->on_readable(handler);
      if (stop_requested_) {
        return finish("stop on the control socket");
      }
    }
  }
}

void Worker::log_started() {
  if (!started_now_) {
    return;
  }
  started_now_ = false;
  const auto identity = machine_->identity();
  std::fprintf(stderr, "mimeo worker: started, uuid %s generation-id %s\n",
               identity.uuid_string().c_str(), identity.generation_id_hex().c_str());
  log_priority_trouble();
}

ControlServer::Reply Worker::handle(std::string_view line) {
  auto request = parse_request(line);
  if (!request.ok()) {
    return {error_reply(request.error().describe())};
  }
  switch (request->command) {
    case Command::kStatus:
      return {status_reply(state_, ::getpid(), setup_.id,
                           state_ == CloneState::kWarm ? "" : machine_->identity().uuid_string())};
    case Command::kStart: return {start(request->uuid)};
    case Command::kPause: return {pause()};
    case Command::kResume: return {resume()};
    case Command::kStop: stop_requested_ = true; return {ok_reply("stopping"), true};
  }
  return {error_reply("unhandled request")};
}

std::string Worker::start(const std::optional<devices::Uuid>& uuid) {
  if (state_ != CloneState::kWarm) {
    return error_reply(
        fmt::format("start: the clone was started already (it is {})", state_name(state_)));
  }
  if (uuid) {
    if (auto set = machine_->set_uuid(*uuid); !set.ok()) {
      return error_reply("start: " + set.error().describe());
    }
  }
  if (setup_.idle_until_start) {
    // The threads still idle (vCPUs, console) back to normal priority before
    // a vCPU runs, so the guest never runs at idle priority. A thread that
    // stays idle makes a slow clone, not a failed one: it is logged.
    if (auto left = leave_idle_priority(idle_threads_); !left.ok()) {
      priority_trouble_ = left.error().describe();
    }
    idle_threads_.clear();
  }
  if (auto resumed = machine_->resume(); !resumed.ok()) {
    return error_reply("start: " + resumed.error().describe());
  }
  state_ = CloneState::kRunning;
  started_now_ = true;
  return ok_reply("running");
}

std::string Worker::pause() {
  if (state_ != CloneState::kRunning) {
    return error_reply(fmt::format("pause: the clone is {}, not running", state_name(state_)));
  }
  if (auto paused = machine_->pause(); !paused.ok()) {
    return error_reply("pause: " + paused.error().describe());
  }
  state_ = CloneState::kPaused;
  return ok_reply("paused");
}

std::string Worker::resume() {
  if (state_ != CloneState::kPaused) {
    return error_reply(fmt::format("resume: the clone is {}, not paused{}", state_name(state_),
                                   state_ == CloneState::kWarm ? " (use start)" : ""));
  }
  if (auto resumed = machine_->resume(); !resumed.ok()) {
    return error_reply("resume: " + resumed.error().describe());
  }
  state_ = CloneState::kRunning;
  return ok_reply("running");
}

void Worker::log_priority_trouble() {
  if (!priority_trouble_.empty()) {
    std::fprintf(stderr, "mimeo worker: warning: %s; the clone runs at idle priority\n",
                 priority_trouble_.c_str());
    priority_trouble_.clear();
  }
}

int Worker::finish(const std::optional<std::string>& stop_reason) {
  log_started();  // a start less than kStartedLogDelayMs ago is logged all the same
  if (stop_reason) {
    machine_->request_stop(*stop_reason);
  }
  const vmm::ExitReport report = machine_->wait();
  // The console's socket goes with the machine, the control socket with its server.
  machine_.reset();
  control_.reset();
  std::fprintf(stderr, "mimeo: %s\n", vmm::describe(report).c_str());
  return vmm::process_status(report);
}

}  // namespace mimeo::worker

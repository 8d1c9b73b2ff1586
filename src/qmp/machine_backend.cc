#include "qmp/machine_backend.h"

#include "devices/identity.h"
#include "qmp/qmp_events.h"

namespace mimeo::qmp {

Result<std::optional<MigrationUri>> parse_incoming_option(std::string_view value) {
  if (value == "defer") {
    return std::optional<MigrationUri>();
  }
  auto uri = parse_migration_uri(value, MigrationDirection::kIncoming);
  if (!uri.ok()) {
    return uri.error().context("-incoming " + std::string(value));
  }
  return std::optional<MigrationUri>(std::move(uri.value()));
}

MachineBackend::MachineBackend(vmm::Machine& machine, StartMode mode)
    : machine_(machine), mode_(mode) {
  // A machine its owner started already (-S made with start_paused) is taken as it is.
  started_ = machine_.state() != vmm::RunState::kCreated;
  prelaunch_ = mode == StartMode::kPrelaunch;
  if (mode == StartMode::kIncoming) {
    incoming_.state = IncomingState::kWaiting;
  }
}

Status MachineBackend::start() {
  std::lock_guard lock(mutex_);
  if (mode_ != StartMode::kRun || started_) {
    return {};
  }
  MIMEO_TRY(machine_.start());
  started_ = true;
  changed_.notify_all();
  if (machine_.state() == vmm::RunState::kPaused) {
    return machine_.resume();
  }
  return {};
}

vmm::ExitReport MachineBackend::wait() {
  {
    std::unique_lock lock(mutex_);
    // Stops requested from elsewhere (signals) do not notify us: look every 20 ms
    // while the vCPUs have not been started.
    while (!started_ && !stopped()) {
      changed_.wait_for(lock, std::chrono::milliseconds(20));
    }
    if (!started_) {
      closed_ = true;
    }
  }
  return machine_.wait();
}

RunStatus MachineBackend::run_status() const {
  std::lock_guard lock(mutex_);
  if (stopped()) {
    return RunStatus::kShutdown;
  }
  if (saving_) {
    return RunStatus::kFinishMigrate;
  }
  if (incoming_.state == IncomingState::kWaiting || incoming_.state == IncomingState::kFailed) {
    return RunStatus::kInmigrate;
  }
  if (postmigrate_) {
    return RunStatus::kPostmigrate;
  }
  if (prelaunch_) {
    return RunStatus::kPrelaunch;
  }
  if (!started_) {
    // kRun before start(), as QEMU before its machine is ready; a restored VM waits paused.
    return mode_ == StartMode::kRun ? RunStatus::kPrelaunch : RunStatus::kPaused;
  }
  return machine_.state() == vmm::RunState::kRunning ? RunStatus::kRunning : RunStatus::kPaused;
}

Status MachineBackend::stop() {
  std::lock_guard lock(mutex_);
  if (!started_ || machine_.state() != vmm::RunState::kRunning) {
    return {};
  }
  return machine_.pause();
}

Status MachineBackend::cont() {
  std::lock_guard lock(mutex_);
  if (stopped() || closed_) {
    return make_error("the VM has stopped");
  }
  if (incoming_.state == IncomingState::kWaiting || incoming_.state == IncomingState::kFailed) {
    return make_error("the VM is waiting for its state (-incoming)");
  }
  if (!started_) {
    MIMEO_TRY(machine_.start());
    started_ = true;
    changed_.notify_all();
  }
  if (machine_.state() == vmm::RunState::kPaused) {
    MIMEO_TRY(machine_.resume());
  }
  prelaunch_ = false;
  postmigrate_ = false;
  return {};
}

void MachineBackend::quit() {
  machine_.request_stop(std::string(kQuitReason));
  std::lock_guard lock(mutex_);
  changed_.notify_all();
}

Result<MigrationStats> MachineBackend::migrate(const MigrationUri& uri, const MigrationCaps& caps) {
  bool was_running = false;
  {
    std::lock_guard lock(mutex_);
    if (stopped()) {
      return make_error("the VM has stopped; there is no state to migrate");
    }
    if (incoming_.state == IncomingState::kWaiting || incoming_.state == IncomingState::kFailed) {
      return make_error("the VM is waiting for its state (-incoming)");
    }
    was_running = started_ && machine_.state() == vmm::RunState::kRunning;
  }
  if (was_running) {
    MIMEO_TRY(machine_.pause());
  }
  {
    std::lock_guard lock(mutex_);
    saving_ = true;
  }
  auto stats = save_to_uri(machine_, uri, caps.ignore_shared, child_);
  std::lock_guard lock(mutex_);
  saving_ = false;
  if (!stats.ok()) {
    if (was_running) {
      (void)machine_.resume();  // as QEMU: a failed migration leaves a running VM running
    }
    return stats.error();
  }
  postmigrate_ = true;
  return stats;
}

Status MachineBackend::migrate_incoming(const MigrationUri& uri) {
  {
    std::lock_guard lock(mutex_);
    if (mode_ != StartMode::kIncoming) {
      return make_error("the VM was not started with -incoming");
    }
    if (incoming_.state != IncomingState::kWaiting) {
      return make_error("the VM's state was already read from a migration");
    }
    if (stopped() || closed_) {
      return make_error("the VM has stopped");
    }
  }
  bool opened = false;
  auto source = read_from_uri(uri, child_, &opened);
  Status restored = source.ok() ? machine_.restore_state(source->stream()) : source.error();
  std::lock_guard lock(mutex_);
  if (!restored.ok()) {
    Error error = source.ok() ? restored.error().context(uri.text) : restored.error();
    if (opened) {
      incoming_ = {IncomingState::kFailed, error.describe()};
    }
    return error;
  }
  incoming_ = {IncomingState::kCompleted, {}};
  return {};
}

IncomingStatus MachineBackend::incoming_status() const {
  std::lock_guard lock(mutex_);
  return incoming_;
}

std::string MachineBackend::uuid() const {
  const auto id = machine_.identity().uuid;
  std::span<const uint8_t> bytes(id);
  return devices::hex_string(bytes.subspan(0, 4)) + "-" + devices::hex_string(bytes.subspan(4, 2)) +
         "-" + devices::hex_string(bytes.subspan(6, 2)) + "-" +
         devices::hex_string(bytes.subspan(8, 2)) + "-" + devices::hex_string(bytes.subspan(10, 6));
}

void MachineBackend::abort_migration() { child_.kill(); }

}  // namespace mimeo::qmp

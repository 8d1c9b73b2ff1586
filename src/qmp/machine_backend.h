// QmpBackend on a vmm::Machine, with the run-state bookkeeping QEMU reports. One per
// VM, for each way `mimeo run` starts it:
//   StartMode::kRun        the guest runs from start()
//   StartMode::kPrelaunch  -S: "prelaunch" until the first `cont` starts the vCPUs
//   StartMode::kIncoming   -incoming: "inmigrate" until migrate_incoming() restores the
//                          machine (created with MachineConfig::incoming, not started);
//                          then "paused" until `cont` starts the vCPUs. -incoming URI
//                          calls migrate_incoming() at startup; -incoming defer leaves
//                          it to the QMP command.
// The vCPU threads are started by this class (start() or the first cont()), whether or
// not the machine was created with start_paused. Commands come from the QMP thread;
// wait() is for the program's main thread.
#pragma once

#include <condition_variable>
#include <mutex>
#include <optional>
#include <string_view>

#include "qmp/migration_io.h"
#include "qmp/qmp_backend.h"
#include "vmm/machine.h"

namespace mimeo::qmp {

enum class StartMode { kRun, kPrelaunch, kIncoming };

// -incoming's value: "defer" (nullopt) or a migration URI. Errors name the option.
[[nodiscard]] Result<std::optional<MigrationUri>> parse_incoming_option(std::string_view value);

class MachineBackend final : public QmpBackend {
 public:
  // `machine` must outlive the backend; with kIncoming it must have been created with
  // MachineConfig::incoming = true.
  MachineBackend(vmm::Machine& machine, StartMode mode);

  // kRun: starts the vCPUs (and runs them even if the machine was made start_paused).
  // Other modes: nothing; the first `cont` starts them.
  Status start();
  // Blocks until the VM stops and its vCPU threads end; use it instead of Machine::wait(),
  // which must not overlap cont() or migrate_incoming() starting the vCPUs.
  vmm::ExitReport wait();

  [[nodiscard]] RunStatus run_status() const override;
  Status stop() override;
  Status cont() override;
  void quit() override;
  Result<MigrationStats> migrate(const MigrationUri& uri, const MigrationCaps& caps) override;
  // Also the startup call for -incoming URI: errors name the URI.
  Status migrate_incoming(const MigrationUri& uri) override;
  [[nodiscard]] IncomingStatus incoming_status() const override;
  [[nodiscard]] std::string uuid() const override;
  void abort_migration() override;

 private:
  [[nodiscard]] bool stopped() const { return machine_.state() == vmm::RunState::kStopped; }

  vmm::Machine& machine_;
  const StartMode mode_;
  ChildSlot child_;

  mutable std::mutex mutex_;  // guards what follows
  std::condition_variable changed_;
  bool started_ = false;      // the vCPU threads were started
  bool closed_ = false;       // wait() saw the VM stop before it started: never start it
  bool prelaunch_ = false;    // -S and not yet continued
  bool postmigrate_ = false;  // the last `migrate` completed and nothing ran since
  bool saving_ = false;       // finish-migrate
  IncomingStatus incoming_;
};

}  // namespace mimeo::qmp

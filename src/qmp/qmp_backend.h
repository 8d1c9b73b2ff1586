// What the QMP dispatcher (QmpSession) asks of a VM. MachineBackend implements it on a
// vmm::Machine; tests and the fuzzer use their own, so the protocol layer runs without
// KVM. The session words errors as QEMU does from run_status() and incoming_status();
// a backend still refuses what it cannot do, with its own message.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "base/result.h"
#include "qmp/migration_capabilities.h"
#include "qmp/migration_uri.h"
#include "qmp/run_status.h"

namespace mimeo::qmp {

// What a completed `migrate` did, for query-migrate.
struct MigrationStats {
  uint64_t stream_bytes = 0;   // written to the URI
  uint64_t ram_in_stream = 0;  // guest RAM carried in the stream (QEMU's ram.total)
  uint64_t ram_in_files = 0;   // guest RAM left in share=on files (x-ignore-shared)
  std::chrono::microseconds duration{0};
};

// The destination side (-incoming), as query-migrate reports it there.
enum class IncomingState {
  kNone,       // not started with -incoming
  kWaiting,    // -incoming defer: migrate-incoming has not read a stream yet
  kCompleted,  // restored
  kFailed,     // a stream was read and could not be restored; no second attempt
};

struct IncomingStatus {
  IncomingState state = IncomingState::kNone;
  std::string error;  // kFailed: why
};

class QmpBackend {
 public:
  virtual ~QmpBackend() = default;

  [[nodiscard]] virtual RunStatus run_status() const = 0;
  // Pauses a running VM; in any other state there is nothing to do.
  virtual Status stop() = 0;
  // Runs a paused, prelaunch or postmigrate VM (starting its vCPUs the first time).
  virtual Status cont() = 0;
  // Stops the VM for good; the program ends once its main thread sees that.
  virtual void quit() = 0;
  // Saves the VM to `uri`. A running VM is paused first; on success the VM stays paused
  // (postmigrate), on failure a VM that was running runs again.
  virtual Result<MigrationStats> migrate(const MigrationUri& uri, const MigrationCaps& caps) = 0;
  // Restores a VM waiting for its state (-incoming) from `uri`; it is paused afterwards.
  virtual Status migrate_incoming(const MigrationUri& uri) = 0;
  [[nodiscard]] virtual IncomingStatus incoming_status() const = 0;
  // The VM's UUID, 8-4-4-4-12 lowercase hex digits.
  [[nodiscard]] virtual std::string uuid() const = 0;
  // From another thread: makes a migration in progress fail soon (an exec: child is
  // killed), so that the thread running it can be joined.
  virtual void abort_migration() = 0;
};

}  // namespace mimeo::qmp

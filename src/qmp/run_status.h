// The run states QEMU reports through query-status, as far as mimeo has them.
#pragma once

#include <string_view>

namespace mimeo::qmp {

enum class RunStatus {
  kPrelaunch,  // created with -S, never continued
  kInmigrate,  // waiting for its state (-incoming), not yet restored
  kRunning,
  kPaused,         // stopped by `stop`, or restored and not yet continued
  kFinishMigrate,  // its state is being written by `migrate`
  kPostmigrate,    // `migrate` completed; paused until `cont`
  kShutdown,       // the VM has stopped for good
};

// QEMU's name: "prelaunch", "inmigrate", "running", "paused", "finish-migrate",
// "postmigrate", "shutdown".
[[nodiscard]] std::string_view qemu_name(RunStatus status);

}  // namespace mimeo::qmp

#include "qmp/run_status.h"

namespace mimeo::qmp {

std::string_view qemu_name(RunStatus status) {
  switch (status) {
    case RunStatus::kPrelaunch: return "prelaunch";
    case RunStatus::kInmigrate: return "inmigrate";
    case RunStatus::kRunning: return "running";
    case RunStatus::kPaused: return "paused";
    case RunStatus::kFinishMigrate: return "finish-migrate";
    case RunStatus::kPostmigrate: return "postmigrate";
    case RunStatus::kShutdown: return "shutdown";
  }
  return "shutdown";
}

}  // namespace mimeo::qmp

// From `mimeo run`'s options (QEMU syntax) to a validated machine: every value
// given its meaning and checked, before anything is created or opened.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "chardev/chardev_spec.h"
#include "cli/run_options.h"
#include "qmp/machine_backend.h"
#include "qmp/migration_uri.h"
#include "qmp/qmp_option.h"
#include "vmm/machine_config.h"

namespace mimeo::cli {

struct RunPlan {
  vmm::MachineConfig machine;
  // COM1's backend (nullopt: -serial none).
  std::optional<chardev::ChardevSpec> serial;
  // Lines to show the user before starting (accepted options that do nothing).
  std::vector<std::string> notes;
  std::optional<qmp::QmpSpec> qmp;  // -qmp
  // -incoming: the VM's state comes from a stream; from `incoming_uri` at
  // start-up, or (-incoming defer) from QMP's migrate-incoming.
  bool incoming = false;
  std::optional<qmp::MigrationUri> incoming_uri;
  bool start_paused = false;  // -S
  std::optional<std::string> name;
};

[[nodiscard]] Result<RunPlan> build_run_plan(const RunOptions& options);

}  // namespace mimeo::cli

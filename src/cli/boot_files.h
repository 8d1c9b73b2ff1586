// -kernel and -initrd checked before `mimeo run` opens or creates anything.
#pragma once

#include "base/result.h"
#include "vmm/machine_config.h"

namespace mimeo::cli {

// Reads -kernel and checks that it is a kernel mimeo can boot, and that
// -initrd (if given) can be read. Machine::create reads both again, but only
// after it has created guest memory: without this check a bad -kernel would
// leave a new (or grown) mem-path file and a truncated -serial file behind.
// Errors are worded as Machine::create's ("-kernel PATH: not a PVH ELF ...").
[[nodiscard]] Status check_boot_files(const vmm::MachineConfig& config);

}  // namespace mimeo::cli

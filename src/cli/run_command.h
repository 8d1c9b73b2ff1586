// `mimeo run [QEMU-style options]`: start one VM in the foreground.
#pragma once

#include <string>
#include <vector>

namespace mimeo::cli {

// Returns the process exit status (the guest's isa-debug-exit status, 0 when
// the VM was stopped or powered off, 1 on errors).
int run_command(const std::vector<std::string>& args);

}  // namespace mimeo::cli

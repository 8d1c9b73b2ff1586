// Why a VM stopped, as plain data; the front ends turn it into a message and an
// exit status.
#pragma once

#include <cstdint>
#include <string>

namespace mimeo::vmm {

enum class ExitKind {
  kGuestExit,      // the guest wrote to the isa-debug-exit device
  kTripleFault,    // KVM_EXIT_SHUTDOWN: the guest triple-faulted
  kShutdown,       // the guest asked to power off (KVM_SYSTEM_EVENT_SHUTDOWN)
  kReset,          // the guest asked for a reset; mimeo stops instead of rebooting
  kInternalError,  // KVM could not run the guest (emulation failure, failed entry, ...)
  kQuit,           // the host asked the VM to stop (signal, console escape, QMP quit)
};

struct ExitReport {
  ExitKind kind = ExitKind::kQuit;
  int status = 0;                   // kGuestExit: QEMU's isa-debug-exit status, (value << 1) | 1
  uint32_t vcpu = 0;                // the vCPU that stopped the VM
  std::string detail;               // what happened, for kShutdown/kReset/kInternalError
  uint64_t ignored_rom_writes = 0;  // guest writes to read-only (rom=on) memory, dropped
};

// One line for the user: "guest exited with status 11", "vCPU 0: internal error ...".
[[nodiscard]] std::string describe(const ExitReport& report);
// The process exit status: the debug-exit status as QEMU gives it; 0 for quit,
// reset and power-off; 1 for a triple fault or an internal error (QEMU exits 0
// on a triple fault with -no-reboot; a failed guest should fail a script).
[[nodiscard]] int process_status(const ExitReport& report);

}  // namespace mimeo::vmm

#include "vmm/exit_report.h"

#include <fmt/format.h>

namespace mimeo::vmm {

std::string describe(const ExitReport& report) {
  std::string text;
  switch (report.kind) {
    case ExitKind::kGuestExit:
      text = fmt::format("guest exited through isa-debug-exit with status {}", report.status);
      break;
    case ExitKind::kTripleFault:
      text = fmt::format("guest triple-faulted on vCPU {} (KVM_EXIT_SHUTDOWN){}", report.vcpu,
                         report.detail.empty() ? "" : ": " + report.detail);
      break;
    case ExitKind::kShutdown: text = fmt::format("guest powered off (vCPU {})", report.vcpu); break;
    case ExitKind::kReset:
      text = fmt::format("guest requested a reset (vCPU {}): {}; the VM was stopped", report.vcpu,
                         report.detail);
      break;
    case ExitKind::kInternalError:
      text = fmt::format("vCPU {} stopped on an internal error: {}", report.vcpu, report.detail);
      break;
    case ExitKind::kQuit:
      text = "VM stopped on request";
      if (!report.detail.empty()) {
        text += ": " + report.detail;
      }
      break;
  }
  if (report.ignored_rom_writes != 0) {
    text += fmt::format(" ({} guest {} to read-only memory {} ignored)", report.ignored_rom_writes,
                        report.ignored_rom_writes == 1 ? "write" : "writes",
                        report.ignored_rom_writes == 1 ? "was" : "were");
  }
  return text;
}

int process_status(const ExitReport& report) {
  switch (report.kind) {
    case ExitKind::kGuestExit: return report.status;
    case ExitKind::kTripleFault:
    case ExitKind::kInternalError: return 1;
    case ExitKind::kShutdown:
    case ExitKind::kReset:
    case ExitKind::kQuit: return 0;
  }
  return 1;
}

}  // namespace mimeo::vmm

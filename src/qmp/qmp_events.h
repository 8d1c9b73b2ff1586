// QMP events as QEMU sends them:
//   {"event": "STOP", "timestamp": {"seconds": S, "microseconds": US}}
//   {"event": "MIGRATION", "data": {"status": "completed"}, "timestamp": {...}}
// The timestamp is the host's wall clock when the event was made.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "qmp/qmp_json.h"
#include "vmm/exit_report.h"

namespace mimeo::qmp {

// The reason `quit` gives Machine::request_stop.
inline constexpr std::string_view kQuitReason = "QMP quit";

[[nodiscard]] Json make_event(std::string_view name, std::optional<Json> data = std::nullopt);

// SHUTDOWN's data: {"guest": bool, "reason": QEMU's ShutdownCause name}.
struct ShutdownCause {
  bool guest = false;
  std::string reason;  // "host-qmp-quit", "host-signal", "guest-shutdown", ...

  bool operator==(const ShutdownCause&) const = default;
};

[[nodiscard]] Json shutdown_event(const ShutdownCause& cause);

// The SHUTDOWN QEMU would send for a VM that stopped this way, or nullopt where QEMU
// sends none (isa-debug-exit ends QEMU on the spot). A reset counts as QEMU's
// -no-reboot: guest-reset. Signals give host-signal, `quit` host-qmp-quit, other host
// requests (the console's Ctrl-a x) host-ui, a failure of KVM host-error.
[[nodiscard]] std::optional<ShutdownCause> shutdown_cause(const vmm::ExitReport& report);

}  // namespace mimeo::qmp

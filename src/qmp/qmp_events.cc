#include "qmp/qmp_events.h"

#include <time.h>

namespace mimeo::qmp {

Json make_event(std::string_view name, std::optional<Json> data) {
  timespec now{};
  ::clock_gettime(CLOCK_REALTIME, &now);
  Json event = Json::object();
  event["event"] = name;
  if (data) {
    event["data"] = std::move(*data);
  }
  event["timestamp"] = {{"seconds", static_cast<int64_t>(now.tv_sec)},
                        {"microseconds", static_cast<int64_t>(now.tv_nsec / 1000)}};
  return event;
}

Json shutdown_event(const ShutdownCause& cause) {
  return make_event("SHUTDOWN", Json{{"guest", cause.guest}, {"reason", cause.reason}});
}

std::optional<ShutdownCause> shutdown_cause(const vmm::ExitReport& report) {
  switch (report.kind) {
    case vmm::ExitKind::kGuestExit: return std::nullopt;
    case vmm::ExitKind::kShutdown: return ShutdownCause{true, "guest-shutdown"};
    case vmm::ExitKind::kTripleFault:
    case vmm::ExitKind::kReset: return ShutdownCause{true, "guest-reset"};
    case vmm::ExitKind::kInternalError: return ShutdownCause{false, "host-error"};
    case vmm::ExitKind::kQuit:
      if (report.detail == kQuitReason) {
        return ShutdownCause{false, "host-qmp-quit"};
      }
      if (report.detail.starts_with("SIG")) {
        return ShutdownCause{false, "host-signal"};
      }
      return ShutdownCause{false, "host-ui"};
  }
  return std::nullopt;
}

}  // namespace mimeo::qmp

#include "cli/stop_requests.h"

namespace mimeo::cli {

void StopRequests::stop(const std::string& reason) {
  std::lock_guard lock(mutex_);
  if (machine_ != nullptr) {
    machine_->request_stop(reason);
    return;
  }
  if (abandon_) {
    abandon_start_(reason);
    return;
  }
  if (!pending_) {
    pending_ = reason;
  }
}

void StopRequests::set_abandon_start(bool abandon) {
  std::optional<std::string> reason;
  {
    std::lock_guard lock(mutex_);
    abandon_ = abandon;
    reason = abandon ? pending_ : std::nullopt;
  }
  if (reason) {
    abandon_start_(*reason);
  }
}

std::optional<std::string> StopRequests::pending() const {
  std::lock_guard lock(mutex_);
  return pending_;
}

void StopRequests::attach(vmm::Machine* machine) {
  std::lock_guard lock(mutex_);
  machine_ = machine;
  abandon_ = false;
  if (pending_) {
    machine_->request_stop(*pending_);
  }
}

void StopRequests::detach() {
  std::lock_guard lock(mutex_);
  machine_ = nullptr;
}

}  // namespace mimeo::cli

// Stop requests (SIGINT/SIGTERM/SIGHUP, Ctrl-a x) that can arrive at any time
// of `mimeo run`, also before the VM exists: while -serial waits for its first
// client (which can take forever) and while guest memory is prepared.
#pragma once

#include <functional>
#include <mutex>
#include <optional>
#include <string>

#include "vmm/machine.h"

namespace mimeo::cli {

class StopRequests {
 public:
  // Called, instead of returning, for a stop while `abandon_start` is set
  // (blocking start-up steps that cannot be interrupted); it must end the process.
  explicit StopRequests(std::function<void(const std::string& reason)> abandon_start)
      : abandon_start_(std::move(abandon_start)) {}

  // From any thread: stops the running machine, or remembers the request.
  void stop(const std::string& reason);

  // Brackets a start-up step a stop cannot interrupt (waiting for a socket client).
  void set_abandon_start(bool abandon);
  // The first stop requested before attach(), if any.
  [[nodiscard]] std::optional<std::string> pending() const;
  // From now on stop() stops `machine`; a pending request applies at once.
  void attach(vmm::Machine* machine);
  // Before the machine goes away.
  void detach();

 private:
  std::function<void(const std::string& reason)> abandon_start_;
  mutable std::mutex mutex_;
  vmm::Machine* machine_ = nullptr;
  std::optional<std::string> pending_;
  bool abandon_ = false;
};

}  // namespace mimeo::cli

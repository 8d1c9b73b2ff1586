#include "service/service_types.h"

namespace mimeo::service {

const char* clone_state_name(CloneState state) {
  switch (state) {
    case CloneState::kRunning: return "running";
    case CloneState::kPaused: return "paused";
    case CloneState::kExited: return "exited";
    case CloneState::kCrashed: return "crashed";
    case CloneState::kLost: return "lost";
  }
  return "unknown";
}

}  // namespace mimeo::service

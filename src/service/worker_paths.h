// Where a clone worker's files live under the daemon's state directory:
//   STATE/clones/ID/control.sock  the worker's control socket (docs/worker.md)
//   STATE/clones/ID/console.sock  the guest's COM1
//   STATE/clones/ID/worker.log    the worker's stderr (why it stopped)
#pragma once

#include <string>

namespace mimeo::service {

struct WorkerPaths {
  std::string dir;
  std::string control;
  std::string console;
  std::string log;
};

[[nodiscard]] WorkerPaths worker_paths(const std::string& state_dir, const std::string& id);

// Removes a worker's or a template's directory under the state directory, with all
// it holds. Best effort: a directory already gone, or one that cannot be removed,
// is left to the next daemon's recovery, which removes what no record owns.
void remove_state_dir(const std::string& dir);

}  // namespace mimeo::service

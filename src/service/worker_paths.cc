#include "service/worker_paths.h"

namespace mimeo::service {

WorkerPaths worker_paths(const std::string& state_dir, const std::string& id) {
  WorkerPaths paths;
  paths.dir = state_dir + "/clones/" + id;
  paths.control = paths.dir + "/control.sock";
  paths.console = paths.dir + "/console.sock";
  paths.log = paths.dir + "/worker.log";
  return paths;
}

}  // namespace mimeo::service

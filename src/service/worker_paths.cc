#include "service/worker_paths.h"

#include <filesystem>
#include <system_error>

namespace mimeo::service {

WorkerPaths worker_paths(const std::string& state_dir, const std::string& id) {
  WorkerPaths paths;
  paths.dir = state_dir + "/clones/" + id;
  paths.control = paths.dir + "/control.sock";
  paths.console = paths.dir + "/console.sock";
  paths.log = paths.dir + "/worker.log";
  return paths;
}

void remove_state_dir(const std::string& dir) {
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
}

}  // namespace mimeo::service

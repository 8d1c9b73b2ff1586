// What every part of the bench needs to know about the run.
#pragma once

#include <chrono>
#include <string>

namespace mimeo::bench {

struct BenchSetup {
  std::string template_dir;                   // made by `mimeo template create`
  std::string mimeo_binary;                   // runs `mimeo worker`
  std::string work_dir;                       // sockets and worker logs, removed at the end
  std::chrono::milliseconds timeout{30'000};  // for any one step of one clone
};

}  // namespace mimeo::bench

// `mimeo worker`: one warm clone under a daemon's control (docs/worker.md).
// Not in the help text: the daemon starts it.
#pragma once

#include <string>
#include <vector>

namespace mimeo::cli {

struct WorkerOptions {
  std::string template_dir;  // --template
  std::string id;            // --id
  std::string control;       // --control: the control socket's path
  std::string console;       // --console: COM1's socket path
  int notify_fd = -1;        // --notify-fd: "ready\n" or "error ...\n" goes there
  // --idle-until-start: spawned at SCHED_IDLE (docs/worker.md, "Priority").
  bool idle_until_start = false;
  // Arguments CLI11 did not take: refused by the command (on the notify fd).
  std::vector<std::string> unexpected;
};

int worker_command(const WorkerOptions& options);

}  // namespace mimeo::cli

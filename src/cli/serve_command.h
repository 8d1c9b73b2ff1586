// `mimeo serve`: the daemon (docs/daemon.md). The REST front end
// (src/daemon) on a Unix socket, over the core (service::Supervisor).
#pragma once

#include <string>

namespace mimeo::cli {

struct ServeOptions {
  std::string socket;  // "" = daemon_socket_path's default
  std::string state_dir = "/var/lib/mimeo";
  unsigned pool_size = 2;
  unsigned refill_delay_ms = 20;
};

int serve_command(const ServeOptions& options);

}  // namespace mimeo::cli

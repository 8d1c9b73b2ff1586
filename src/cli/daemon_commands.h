// The commands that talk to `mimeo serve` (docs/daemon.md): they send one
// REST request each and print the answer as a table or ids; errors are the
// daemon's own message. `mimeo template ...` and `mimeo clone ...` come here
// when their argument is a name (not a path) and a daemon listens.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "daemon/client.h"

namespace mimeo::cli {

// True when `arg` names something in the daemon rather than a directory: it
// has no '/', a daemon listens at `socket`, and (for clone and inspect, which
// take an existing template) it is not a template directory here.
[[nodiscard]] bool use_daemon_for(const std::string& arg, const std::string& socket,
                                  bool local_template_wins);

int daemon_ps(const daemon::Client& client, bool quiet);
int daemon_rm(const daemon::Client& client, const std::vector<std::string>& refs);
int daemon_pause_resume(const daemon::Client& client, const std::vector<std::string>& refs,
                        bool pause);
int daemon_clone(const daemon::Client& client, const std::string& template_name, unsigned count,
                 const std::optional<std::string>& name);
int daemon_template_ls(const daemon::Client& client);
int daemon_template_inspect(const daemon::Client& client, const std::string& name);
int daemon_template_rm(const daemon::Client& client, const std::vector<std::string>& names);
int daemon_template_import(const daemon::Client& client, const std::string& dir,
                           const std::string& name, std::optional<unsigned> pool_size);
int daemon_template_pool(const daemon::Client& client, const std::string& name, unsigned size);

struct DaemonTemplateCreate {
  std::string name;
  std::optional<std::string> ready_on_serial;
  std::optional<double> ready_after;
  double timeout = 60;
  std::optional<unsigned> pool_size;
  std::vector<std::string> run_options;  // -kernel, -initrd, -append, -m, -smp
};
int daemon_template_create(const daemon::Client& client, const DaemonTemplateCreate& options);

// `mimeo attach REF`: the clone's console on this terminal (Ctrl-] detaches)
// or, when stdin is not a terminal, stdin to the guest and the guest to
// stdout until stdin ends and the guest has been quiet for `linger_ms`.
int daemon_attach(const daemon::Client& client, const std::string& ref, int linger_ms);

}  // namespace mimeo::cli

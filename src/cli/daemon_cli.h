// The daemon's subcommands on mimeo's command line: `serve`, `ps`, `rm`,
// `pause`, `resume`, `attach`, `template ls|rm|import|pool`, and what
// `template create|inspect` and `clone` do when they go to the daemon.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <vector>

#include "cli/serve_command.h"

namespace mimeo::cli {

class DaemonCli {
 public:
  // Adds the subcommands to `app` and to its `template` subcommand, and
  // --socket to `app`.
  DaemonCli(CLI::App& app, CLI::App& templ);

  // The exit status if one of the daemon's own subcommands was given.
  std::optional<int> run();

  // The daemon's socket (--socket, $MIMEO_SOCKET or the default).
  [[nodiscard]] std::string socket() const;

  // `mimeo clone NAME [--count N] [--name X]` through the daemon.
  int clone(const std::string& template_name, const std::vector<std::string>& args) const;

 private:
  std::string socket_;
  ServeOptions serve_options_;
  CLI::App* serve_;
  bool quiet_ = false;
  CLI::App* ps_;
  std::vector<std::string> refs_;
  CLI::App* rm_;
  CLI::App* pause_;
  CLI::App* resume_;
  std::string attach_ref_;
  int linger_ms_ = 1000;
  CLI::App* attach_;
  CLI::App* template_ls_;
  std::vector<std::string> template_names_;
  CLI::App* template_rm_;
  std::string import_dir_;
  std::string import_name_;
  std::optional<unsigned> import_pool_;
  CLI::App* template_import_;
  std::string pool_template_;
  unsigned pool_size_ = 0;
  CLI::App* template_pool_;
};

}  // namespace mimeo::cli

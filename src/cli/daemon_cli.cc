#include "cli/daemon_cli.h"

#include <cstdio>
#include <filesystem>

#include "cli/daemon_address.h"
#include "cli/daemon_commands.h"
#include "cli/option_checks.h"

namespace mimeo::cli {

DaemonCli::DaemonCli(CLI::App& app, CLI::App& templ) {
  // --socket may also follow the subcommand: `mimeo serve --socket S`.
  app.fallthrough();
  app.add_option("--socket", socket_,
                 "the daemon's socket (default: $MIMEO_SOCKET, else /run/mimeo/mimeo.sock)");

  serve_ = app.add_subcommand(
      "serve", "run the daemon: templates, warm pools of clones and a REST API on a Unix socket");
  serve_
      ->add_option("--state-dir", serve_options_.state_dir,
                   "where the catalog, templates and clones' sockets live")
      ->capture_default_str();
  serve_
      ->add_option("--pool-size", serve_options_.pool_size,
                   "warm clones to keep per template (a template may set its own)")
      ->capture_default_str()
      ->check(whole_number(0, 1000));
  serve_
      ->add_option("--refill-delay-ms", serve_options_.refill_delay_ms,
                   "a pool that still has a warm clone refills this long after its last hand-out "
                   "(an empty pool refills at once)")
      ->capture_default_str()
      ->check(whole_number(0, 60000));

  ps_ = app.add_subcommand("ps", "list the daemon's clones");
  ps_->add_flag("-q,--quiet", quiet_, "only the ids");
  rm_ = app.add_subcommand("rm", "stop and delete clones of the daemon");
  rm_->add_option("clone", refs_, "clone ids or names")->required();
  pause_ = app.add_subcommand("pause", "pause clones of the daemon");
  pause_->add_option("clone", refs_, "clone ids or names")->required();
  resume_ = app.add_subcommand("resume", "resume paused clones of the daemon");
  resume_->add_option("clone", refs_, "clone ids or names")->required();
  attach_ = app.add_subcommand("attach", "connect this terminal to a clone's console");
  attach_->add_option("clone", attach_ref_, "clone id or name")->required();
  attach_
      ->add_option("--linger-ms", linger_ms_,
                   "when stdin is not a terminal: after it ends, wait this long for output")
      ->capture_default_str()
      ->check(whole_number(0, 3600000));

  template_ls_ = templ.add_subcommand("ls", "list the daemon's templates");
  template_rm_ = templ.add_subcommand("rm",
                                      "delete templates of the daemon (refused while "
                                      "they have clones)");
  template_rm_->add_option("name", template_names_, "template names")->required();
  template_import_ = templ.add_subcommand(
      "import", "make a template directory (from `mimeo template create DIR`) known to the daemon");
  template_import_->add_option("dir", import_dir_, "the template directory")->required();
  template_import_->add_option("--name", import_name_, "its name (default: the directory's)");
  template_import_->add_option("--pool-size", import_pool_, "warm clones to keep")
      ->check(whole_number(0, 1000));
  template_pool_ = templ.add_subcommand("pool", "set how many warm clones of a template to keep");
  template_pool_->add_option("name", pool_template_, "the template")->required();
  template_pool_->add_option("size", pool_size_, "warm clones")
      ->required()
      ->check(whole_number(0, 1000));
}

std::string DaemonCli::socket() const { return daemon_socket_path(socket_); }

std::optional<int> DaemonCli::run() {
  if (serve_->parsed()) {
    serve_options_.socket = socket_;
    return serve_command(serve_options_);
  }
  const daemon::Client client(socket());
  if (ps_->parsed()) {
    return daemon_ps(client, quiet_);
  }
  if (rm_->parsed()) {
    return daemon_rm(client, refs_);
  }
  if (pause_->parsed() || resume_->parsed()) {
    return daemon_pause_resume(client, refs_, pause_->parsed());
  }
  if (attach_->parsed()) {
    return daemon_attach(client, attach_ref_, linger_ms_);
  }
  if (template_ls_->parsed()) {
    return daemon_template_ls(client);
  }
  if (template_rm_->parsed()) {
    return daemon_template_rm(client, template_names_);
  }
  if (template_import_->parsed()) {
    std::error_code error;
    const auto dir = std::filesystem::absolute(import_dir_, error).lexically_normal();
    std::string name = import_name_;
    if (name.empty()) {
      name = (dir.has_filename() ? dir : dir.parent_path()).filename().string();
    }
    return daemon_template_import(client, dir.string(), name, import_pool_);
  }
  if (template_pool_->parsed()) {
    return daemon_template_pool(client, pool_template_, pool_size_);
  }
  return std::nullopt;
}

int DaemonCli::clone(const std::string& template_name, const std::vector<std::string>& args) const {
  unsigned count = 1;
  std::optional<std::string> name;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    const bool has_value = i + 1 < args.size();
    if ((arg == "-n" || arg == "--count") && has_value) {
      if (std::sscanf(args[++i].c_str(), "%u", &count) != 1 || count == 0) {
        std::fprintf(stderr, "mimeo clone: %s takes a number of clones\n", arg.c_str());
        return 1;
      }
    } else if (arg == "--name" && has_value) {
      name = args[++i];
    } else {
      std::fprintf(stderr,
                   "mimeo clone: '%s' is not an option for a clone of the daemon's template '%s' "
                   "(it takes --count N and --name NAME)\n",
                   arg.c_str(), template_name.c_str());
      return 1;
    }
  }
  return daemon_clone(daemon::Client(socket()), template_name, count, name);
}

}  // namespace mimeo::cli

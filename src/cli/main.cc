#include "cli/main.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <string_view>

#include "cli/daemon_cli.h"
#include "cli/daemon_commands.h"
#include "cli/demo_command.h"
#include "cli/option_checks.h"
#include "cli/run_command.h"
#include "cli/template_commands.h"
#include "cli/worker_command.h"

namespace mimeo::cli {

int main(int argc, char** argv) {
  // QEMU-style options follow `--` (template create) or the template
  // directory (clone); they are not CLI11's to parse.
  std::vector<std::string> vm_options;
  int command = 1;  // past a leading --socket PATH
  while (command + 1 < argc && std::string_view(argv[command]) == "--socket") {
    command += 2;
  }
  if (command < argc && std::string_view(argv[command]) == "clone") {
    for (int i = command + 2; i < argc; ++i) {
      vm_options.emplace_back(argv[i]);
    }
    argc = std::min(argc, command + 2);
  } else {
    for (int i = 1; i < argc; ++i) {
      if (std::string_view(argv[i]) == "--") {
        for (int j = i + 1; j < argc; ++j) {
          vm_options.emplace_back(argv[j]);
        }
        argc = i;
        break;
      }
    }
  }
  CLI::App app{"mimeo: a KVM virtual machine monitor for VM templating"};
  app.require_subcommand(1);

  auto* run = app.add_subcommand(
      "run", "start a VM in the foreground; options as QEMU's (-m, -object, -kernel, ...)");
  run->prefix_command();  // everything after `run` is QEMU syntax, read by parse_run_options

  auto* demo = app.add_subcommand("demo", "make a template of the test guest and start clones");
  DemoOptions demo_options;
  demo->add_option("--guest", demo_options.guest, "the test guest image (default: next to mimeo)");
  demo->add_option("--clones", demo_options.clones, "how many clones to start")
      ->check(whole_number(1, 1000));

  auto* templ = app.add_subcommand("template", "make and look at templates");
  templ->require_subcommand(1);
  TemplateCreateOptions create_options;
  auto* create = templ->add_subcommand(
      "create",
      "boot a VM with its RAM in DIR, wait until it is ready, freeze it and publish DIR "
      "atomically: mimeo template create DIR [--ready-on-serial TEXT] -- RUN-OPTIONS");
  create->add_option("dir", create_options.dir, "the template directory (must not exist)")
      ->required();
  create->add_option("--ready-on-serial", create_options.ready_on_serial,
                     "ready when the guest prints a line containing TEXT on COM1");
  create
      ->add_option("--ready-after", create_options.ready_after,
                   "ready this many seconds after the start")
      ->check(seconds(true));
  create
      ->add_option("--timeout", create_options.timeout,
                   "give up after this many seconds (nothing is created)")
      ->check(seconds(false));
  create->add_flag("--quiet", create_options.quiet, "don't copy the guest's console to stdout");
  std::optional<unsigned> create_pool_size;
  create
      ->add_option("--pool-size", create_pool_size,
                   "with the daemon: warm clones to keep of this template")
      ->check(whole_number(0, 1000));
  std::string inspect_dir;
  auto* inspect = templ->add_subcommand("inspect", "print what a template holds and check it");
  inspect->add_option("dir", inspect_dir, "the template directory")->required();

  CloneOptions clone_options;
  auto* clone = app.add_subcommand(
      "clone",
      "start one clone of a template in the foreground: mimeo clone DIR [-serial ...] [-qmp ...]");
  clone->add_option("dir", clone_options.dir, "the template directory")->required();

  DaemonCli daemon_cli(app, *templ);

  // Started by the daemon (docs/worker.md), so not in the help text (group "").
  // Missing or unknown options are the command's to report, on its notify fd.
  WorkerOptions worker_options;
  auto* worker = app.add_subcommand("worker", "one warm clone under the daemon's control");
  worker->group("");
  worker->allow_extras();
  worker->add_option("--template", worker_options.template_dir, "the template directory");
  worker->add_option("--id", worker_options.id, "the clone's id");
  worker->add_option("--control", worker_options.control, "the control socket's path");
  worker->add_option("--console", worker_options.console, "COM1's socket path");
  worker->add_option("--notify-fd", worker_options.notify_fd, "where to say ready or error");
  worker->add_flag("--idle-until-start", worker_options.idle_until_start,
                   "spawned at SCHED_IDLE: back to SCHED_OTHER once warm and on start");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (auto status = daemon_cli.run()) {
    return *status;
  }
  if (run->parsed()) {
    return run_command(run->remaining());
  }
  if (demo->parsed()) {
    return demo_command(demo_options);
  }
  // A NAME (no '/'; for clone and inspect, not a template directory here)
  // goes to the daemon when one listens.
  if (create->parsed() && use_daemon_for(create_options.dir, daemon_cli.socket(), false)) {
    DaemonTemplateCreate request;
    request.name = create_options.dir;
    request.ready_on_serial = create_options.ready_on_serial;
    request.ready_after = create_options.ready_after;
    request.timeout = create_options.timeout;
    request.pool_size = create_pool_size;
    request.run_options = vm_options;
    return daemon_template_create(daemon::Client(daemon_cli.socket()), request);
  }
  if (inspect->parsed() && use_daemon_for(inspect_dir, daemon_cli.socket(), true)) {
    return daemon_template_inspect(daemon::Client(daemon_cli.socket()), inspect_dir);
  }
  if (clone->parsed() && use_daemon_for(clone_options.dir, daemon_cli.socket(), true)) {
    return daemon_cli.clone(clone_options.dir, vm_options);
  }
  if (create->parsed()) {
    create_options.run_options = vm_options;
    return template_create_command(create_options);
  }
  if (inspect->parsed()) {
    return template_inspect_command(inspect_dir);
  }
  if (clone->parsed()) {
    clone_options.extra = vm_options;
    return clone_command(clone_options);
  }
  if (worker->parsed()) {
    worker_options.unexpected = worker->remaining();
    return worker_command(worker_options);
  }
  return 2;
}

}  // namespace mimeo::cli

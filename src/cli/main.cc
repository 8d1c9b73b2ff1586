#include "cli/main.h"

#include <CLI/CLI.hpp>

#include "cli/demo_command.h"
#include "cli/run_command.h"

namespace mimeo::cli {

int main(int argc, char** argv) {
  CLI::App app{"mimeo: a KVM virtual machine monitor for VM templating"};
  app.require_subcommand(1);

  auto* run = app.add_subcommand(
      "run", "start a VM in the foreground; options as QEMU's (-m, -object, -kernel, ...)");
  run->prefix_command();  // everything after `run` is QEMU syntax, read by parse_run_options

  auto* demo = app.add_subcommand("demo", "boot the test guest, talk to it, show what happened");
  DemoOptions demo_options;
  demo->add_option("--guest", demo_options.guest, "the test guest image (default: next to mimeo)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (run->parsed()) {
    return run_command(run->remaining());
  }
  if (demo->parsed()) {
    return demo_command(demo_options);
  }
  return 2;
}

}  // namespace mimeo::cli

// `mimeo template create|inspect` and `mimeo clone`.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace mimeo::cli {

struct TemplateCreateOptions {
  std::string dir;
  std::optional<std::string> ready_on_serial;  // wait for a console line containing this
  std::optional<double> ready_after;           // or for this many seconds
  double timeout = 600;                        // give up (and create nothing) after this
  bool quiet = false;                          // don't copy the guest's console to stdout
  std::vector<std::string> run_options;        // after `--`
};

int template_create_command(const TemplateCreateOptions& options);
int template_inspect_command(const std::string& dir);

struct CloneOptions {
  std::string dir;
  std::vector<std::string> extra;  // -serial, -chardev, -qmp, -uuid, -name, -S
};

int clone_command(const CloneOptions& options);

}  // namespace mimeo::cli

// From the options a user gives `mimeo template create` to the options the
// template VM runs with (every memory backend a share=on file in the template
// directory) and those its clones will run with (the same files,
// readonly=on,rom=off), as the templating document prescribes.
#pragma once

#include <string>
#include <vector>

#include "base/result.h"
#include "cli/run_options.h"
#include "cli/template_dir.h"

namespace mimeo::cli {

struct TemplatePlan {
  RunOptions template_run;  // RAM in `ram_dir`, share=on
  RunOptions clone_run;     // RAM in "{template}", readonly=on,rom=off
  std::vector<TemplateRam> memory;
};

// Fails (naming the option) for what a template cannot have: -qmp, -incoming,
// -S, -serial/-chardev (the template's console is mimeo's), and whatever
// build_run_plan refuses.
[[nodiscard]] Result<TemplatePlan> plan_template(const RunOptions& user,
                                                 const std::string& ram_dir);

}  // namespace mimeo::cli

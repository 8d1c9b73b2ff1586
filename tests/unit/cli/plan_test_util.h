// Helpers for build_run_plan tests: from a command line (after `mimeo run`) to
// the plan or the one-line error a user would see.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "cli/run_options.h"
#include "cli/run_plan.h"

namespace mimeo::cli::testing {

using Args = std::vector<std::string>;

inline Result<RunPlan> plan_for(const Args& args) {
  auto options = parse_run_options(args);
  if (!options.ok()) {
    return options.error();
  }
  return build_run_plan(*options);
}

// The args with "-kernel k" in front, so the error is the one under test.
inline Args with_kernel(const Args& args) {
  Args all = {"-kernel", "k"};
  all.insert(all.end(), args.begin(), args.end());
  return all;
}

// The error of `mimeo run -kernel k ARGS`, or "(no error)".
inline std::string plan_error(const Args& args) {
  auto plan = plan_for(with_kernel(args));
  return plan.ok() ? "(no error)" : plan.error().describe();
}

// The plan of `mimeo run -kernel k ARGS`; a failure is reported with its message.
inline RunPlan plan_ok(const Args& args) {
  auto plan = plan_for(with_kernel(args));
  EXPECT_TRUE(plan.ok()) << plan.error().describe();
  return plan.ok() ? std::move(plan).value() : RunPlan{};
}

}  // namespace mimeo::cli::testing

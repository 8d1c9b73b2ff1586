// The in-process model: every clone a vmm::Machine in one process (a forked
// child of the bench, fresh for each round, so that its memory growth is the
// clones' alone and a fault in one clone ends the child, not the bench).
#pragma once

#include "base/result.h"
#include "bench_setup.h"
#include "results.h"

namespace mimeo::bench {

// N clones warm, then started; then a device-model fault in clone 0 and a
// ping to each of the others from outside the process.
[[nodiscard]] Result<RoundResult> run_in_process_round(const BenchSetup& setup, int clones);
// `count` clones made, started and pinged one at a time, each destroyed after.
[[nodiscard]] Result<ColdResult> run_in_process_cold(const BenchSetup& setup, int count);

}  // namespace mimeo::bench

// The process-per-clone model as the daemon runs it: one `mimeo worker`
// process per clone, spawned and controlled through service::WorkerProcess
// (the daemon's own code), COM1 on each worker's console socket.
#pragma once

#include "base/result.h"
#include "bench_setup.h"
#include "results.h"

namespace mimeo::bench {

// N workers warm, then started; then SIGKILL to worker 0 and a ping to each
// of the others.
[[nodiscard]] Result<RoundResult> run_worker_round(const BenchSetup& setup, int clones);
// `count` workers spawned, started and pinged one at a time, each killed after.
[[nodiscard]] Result<ColdResult> run_worker_cold(const BenchSetup& setup, int count);

}  // namespace mimeo::bench

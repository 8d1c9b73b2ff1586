// The process a clone worker runs in: its own session, so that a signal to the
// daemon's terminal or process group never reaches it; SIGPIPE, SIGHUP and
// SIGINT ignored; SIGTERM blocked in every thread and read from a signalfd by
// the worker's poll loop (no signal-handling thread). All threads share one
// malloc arena.
#pragma once

#include "base/result.h"
#include "base/unique_fd.h"

namespace mimeo::worker {

// Call before any thread starts, so that every thread inherits the mask. A
// process that already leads its process group (spawned with setpgid) cannot
// call setsid(); it keeps its session, already out of the daemon's group.
// Returns the signalfd for SIGTERM (non-blocking, close-on-exec).
[[nodiscard]] Result<UniqueFd> isolate_worker_process();

// Reads every signal pending on the signalfd; true if one was SIGTERM.
[[nodiscard]] bool termination_requested(int signal_fd);

}  // namespace mimeo::worker

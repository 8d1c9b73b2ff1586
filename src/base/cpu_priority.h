// CPU scheduling priority of threads: warm clone workers restore at idle
// priority and go back to normal priority when they are handed out
// (docs/daemon.md, "Warm pools"; docs/worker.md, "Priority").
//
// The kernel's rules this relies on (sched(7), kernel/sched/syscalls.c):
// - On Linux the policy is per thread: sched_setscheduler(tid, ...) changes
//   one thread (a pid is its main thread's tid), not the whole process.
// - A new thread, and a process made by fork or posix_spawn, starts with the
//   policy and nice value of the thread that created it; exec keeps them.
//   So a worker spawned at SCHED_IDLE creates its vCPU and console threads at
//   SCHED_IDLE too. (POSIX_SPAWN_SETSCHEDULER would set a child's policy
//   between fork and exec, but glibc's posix_spawnattr_setschedpolicy()
//   refuses SCHED_IDLE with EINVAL; so the spawning thread takes SCHED_IDLE
//   for the spawn, service/worker_process.cc.)
// - Anyone may move a thread of their own to SCHED_IDLE. Leaving SCHED_IDLE
//   needs what lowering the nice value needs: CAP_SYS_NICE, or an RLIMIT_NICE
//   soft limit of at least 20 - nice (20 for nice 0). Without either the
//   kernel answers EPERM, and the thread stays at idle priority for good.
// - SCHED_IDLE and SCHED_OTHER keep the thread's nice value: going back to
//   SCHED_OTHER gives the nice it had before (the daemon's, inherited).
// - A SCHED_IDLE thread runs only on CPU time no other thread wants (its
//   weight is below nice 19's), and a waking SCHED_OTHER thread preempts it
//   at once.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "base/result.h"

namespace mimeo {

// Whether this process, and the children it spawns (which keep its
// capabilities and limits across exec), may move a thread from SCHED_IDLE
// back to SCHED_OTHER. The effective capability comes from capget(2); a
// non-root process's capability survives exec only in its ambient set.
struct IdleExit {
  bool allowed = false;
  std::string why;  // what allows it, or what is missing
};
[[nodiscard]] IdleExit can_leave_idle_priority();

// The scheduling policy of one thread (SCHED_OTHER, SCHED_IDLE, ...); `tid`
// 0 is the calling thread.
[[nodiscard]] Result<int> thread_policy(pid_t tid);
// Moves one thread to SCHED_IDLE (allowed to anyone).
[[nodiscard]] Status set_thread_idle(pid_t tid);
// Moves one thread to SCHED_BATCH, keeping its nice value: it gets the same
// share of CPU as at SCHED_OTHER, but its wake-ups never preempt the thread
// running where it wakes (the scheduler skips wakeup preemption for batch
// threads); it runs when that thread sleeps or on an idle CPU. Leaving
// SCHED_IDLE this way needs the same rights as leave_idle_priority().
[[nodiscard]] Status set_thread_batch(pid_t tid);
// Moves one thread from SCHED_IDLE to SCHED_OTHER, keeping its nice value;
// true if it was at SCHED_IDLE. A thread at another policy is left alone.
[[nodiscard]] Result<bool> leave_idle_priority(pid_t tid);

// The ids of this process's threads (/proc/self/task).
[[nodiscard]] Result<std::vector<pid_t>> own_thread_ids();

// This process's threads that are at SCHED_IDLE now.
[[nodiscard]] Result<std::vector<pid_t>> own_idle_threads();

// Moves the listed threads to SCHED_OTHER with one call each, without asking
// their policy first: for threads known to be at SCHED_IDLE (from
// own_idle_threads()), on a path where every syscall counts (a worker's
// `start`: reading /proc/self/task there cost ~0.1 ms). A thread that has
// ended is skipped; the error names each thread it could not move.
[[nodiscard]] Status leave_idle_priority(const std::vector<pid_t>& tids);

}  // namespace mimeo

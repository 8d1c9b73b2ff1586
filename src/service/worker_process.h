// One clone worker process (`mimeo worker`, docs/worker.md) as the daemon sees
// it: spawned for a warm pool, or found again after the daemon restarted. Its
// pidfd says when it ends; its control socket takes one-line commands.
// Not thread-safe: the caller serializes commands to one worker.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>

#include "base/result.h"
#include "base/unique_fd.h"
#include "service/worker_paths.h"

namespace mimeo::service {

// How a worker process ended.
struct WorkerExit {
  bool known = false;  // false: not our child (found after a restart), status unknown
  bool signaled = false;
  int code = 0;            // exit status, or the signal number when `signaled`
  std::string last_words;  // the last line of its log: the VM's exit report
};

// The CPU priority a worker is spawned at (base/cpu_priority.h).
enum class WorkerPriority {
  kNormal,  // the daemon's
  // SCHED_IDLE from its first instruction, with --idle-until-start: the
  // worker goes back to SCHED_OTHER once warm (its control thread) and on
  // `start` (every thread). Only for a daemon that can_leave_idle_priority():
  // the spawning thread needs it too (worker_process.cc says why).
  kIdleUntilStart,
};

class WorkerProcess {
 public:
  // Starts `binary worker --template DIR --id ID ...` in its own session,
  // with stderr in paths.log. wait_ready() then waits for it to be warm.
  static Result<WorkerProcess> spawn(const std::string& binary, const std::string& template_dir,
                                     const std::string& id, const WorkerPaths& paths,
                                     WorkerPriority priority = WorkerPriority::kNormal);
  // A worker that outlived a daemon: its control socket must answer `status`
  // with `pid`, so that a reused pid is never taken for it.
  static Result<WorkerProcess> attach(const WorkerPaths& paths, pid_t pid,
                                      std::chrono::milliseconds timeout);

  // A moved-from WorkerProcess owns nothing (pid -1, not a child).
  WorkerProcess(WorkerProcess&& other) noexcept;
  WorkerProcess& operator=(WorkerProcess&& other) noexcept;
  WorkerProcess(const WorkerProcess&) = delete;
  WorkerProcess& operator=(const WorkerProcess&) = delete;
  ~WorkerProcess();

  // Reads "ready" from the worker, then connects to its control socket. The
  // error of a worker that failed, ended or did not answer in time names it
  // (id, pid), its log file and the log's last line.
  [[nodiscard]] Status wait_ready(std::chrono::milliseconds timeout);
  // Sends one command line; returns what follows "ok " in the reply, or an
  // error with the worker's message.
  [[nodiscard]] Result<std::string> command(const std::string& line,
                                            std::chrono::milliseconds timeout);
  // Sends a command without waiting for its reply, which the next command()
  // reads first (and fails with, if it was an error). The fast path of a
  // clone request: the answer goes out while the worker starts its vCPUs.
  [[nodiscard]] Status send(const std::string& line, std::chrono::milliseconds timeout);

  [[nodiscard]] pid_t pid() const { return pid_; }
  [[nodiscard]] int pidfd() const { return pidfd_.get(); }
  [[nodiscard]] const WorkerPaths& paths() const { return paths_; }
  // True once the process has ended (its pidfd is readable).
  [[nodiscard]] bool ended() const;
  // Sends SIGKILL through the pidfd (never to a reused pid).
  void kill() const;
  // After ended(): reaps a child and says how it ended.
  WorkerExit reap();
  // Lets the process go on without this object: not killed or reaped when
  // destroyed (a clone that outlives the daemon).
  void release() { child_ = false; }

 private:
  WorkerProcess(pid_t pid, UniqueFd pidfd, bool child, WorkerPaths paths)
      : pid_(pid), pidfd_(std::move(pidfd)), child_(child), paths_(std::move(paths)) {}
  [[nodiscard]] Status connect_control(std::chrono::milliseconds timeout);
  // "clone worker ID (pid N)"
  [[nodiscard]] std::string name() const;

  pid_t pid_ = -1;
  UniqueFd pidfd_;
  bool child_ = false;  // ours to reap
  bool reaped_ = false;
  WorkerPaths paths_;
  std::string id_;    // known for a spawned worker
  UniqueFd notify_;   // read end of the worker's --notify-fd pipe
  UniqueFd control_;  // connected control socket
  std::string buffer_;
  unsigned unanswered_ = 0;  // commands sent with send() whose replies are unread
};

// The last non-empty line of a file (a worker log: a few lines).
[[nodiscard]] std::string last_line_of(const std::string& path);

}  // namespace mimeo::service

// One clone worker (`mimeo worker`, docs/worker.md): a clone restored ahead of
// time and kept warm (vCPU threads created and parked) until its control
// socket says `start`, then run, paused and resumed on request. One thread of
// its own, the caller's, which polls the control socket, the SIGTERM signalfd
// and the VM's stop event; the console's thread and the vCPU threads are the
// machine's.
#pragma once

#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/unique_fd.h"
#include "chardev/wake_fd.h"
#include "vmm/machine.h"
#include "worker/control_protocol.h"
#include "worker/control_server.h"

namespace mimeo::worker {

struct WorkerSetup {
  std::string id;            // echoed by `status`; check_worker_id()
  std::string control_path;  // the control socket
  std::string console_path;  // COM1 on a Unix socket server (wait=off)
  // The clone's machine, created incoming (as `mimeo clone` builds it).
  vmm::MachineConfig machine;
  std::string state_path;  // the state stream to restore
  UniqueFd signal_fd;      // isolate_worker_process()'s
  // Spawned at SCHED_IDLE for a pool (--idle-until-start): the restore runs
  // at idle priority; once warm the control loop's thread goes back to
  // SCHED_OTHER, and `start` moves every other thread back before the vCPUs
  // run (docs/worker.md, "Priority").
  bool idle_until_start = false;
};

class Worker {
 public:
  // Everything before "ready": the control socket, the console socket, the
  // machine created and restored, its vCPU threads parked. On failure what was
  // created is removed again, and the error names what failed.
  static Result<std::unique_ptr<Worker>> prepare(WorkerSetup setup);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // Serves the control socket until `stop`, SIGTERM or the VM stopping by
  // itself. Prints the VM's exit report on stderr, removes both sockets and
  // returns the process exit status (as `mimeo clone`'s).
  int serve();

 private:
  explicit Worker(WorkerSetup setup);
  ControlServer::Reply handle(std::string_view line);
  [[nodiscard]] std::string start(const std::optional<devices::Uuid>& uuid);
  [[nodiscard]] std::string pause();
  [[nodiscard]] std::string resume();
  int finish(const std::optional<std::string>& stop_reason);
  void log_priority_trouble();
  // The "started" line with the identity, once, kStartedLogDelayMs after `start`.
  void log_started();

  WorkerSetup setup_;
  std::optional<chardev::WakeFd> vm_stopped_;  // written by the machine's on_stop
  std::optional<ControlServer> control_;
  std::unique_ptr<vmm::Machine> machine_;  // destroyed first: it signals vm_stopped_
  CloneState state_ = CloneState::kWarm;
  bool started_now_ = false;  // `start` was answered: log the identity (log_started())
  // A thread that could not leave SCHED_IDLE: logged after the reply.
  std::string priority_trouble_;
  // With idle_until_start: the threads still at SCHED_IDLE once warm, which
  // `start` moves back to SCHED_OTHER.
  std::vector<pid_t> idle_threads_;
  bool stop_requested_ = false;
};

}  // namespace mimeo::worker

// One `mimeo worker` process (docs/worker.md) started the way the daemon's
// service::WorkerProcess starts it: same arguments, stdin /dev/null, stderr
// to a log, "ready" on --notify-fd 3, nothing else inherited, a pidfd.
// It mirrors service::WorkerProcess::spawn rather than using it: when this
// was written, a moved-from WorkerProcess waited for the child in its
// destructor, so spawn() never returned.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>

#include "base/result.h"
#include "base/unique_fd.h"
#include "console_client.h"

namespace mimeo::bench {

struct WorkerFiles {
  std::string control;
  std::string console;
  std::string log;
};

class WorkerHandle {
 public:
  static Result<WorkerHandle> spawn(const std::string& binary, const std::string& template_dir,
                                    const std::string& id, const WorkerFiles& files);
  WorkerHandle(WorkerHandle&& other) noexcept;
  WorkerHandle& operator=(WorkerHandle&&) = delete;
  // SIGKILL and reap, if still ours.
  ~WorkerHandle();

  // Waits for "ready" on the notify pipe, then connects the control socket.
  [[nodiscard]] Status wait_ready(Clock::time_point deadline);
  // One request line; the reply line without "ok ", or an error.
  [[nodiscard]] Result<std::string> command(const std::string& line, Clock::time_point deadline);
  [[nodiscard]] pid_t pid() const { return pid_; }
  // SIGKILL through the pidfd, then waits for the end: "killed by signal 9".
  [[nodiscard]] Result<std::string> kill_and_reap(Clock::time_point deadline);

 private:
  WorkerHandle(pid_t pid, UniqueFd pidfd, UniqueFd notify, WorkerFiles files)
      : pid_(pid), pidfd_(std::move(pidfd)), notify_(std::move(notify)), files_(std::move(files)) {}
  [[nodiscard]] Result<std::string> read_line(int fd, Clock::time_point deadline);

  pid_t pid_ = -1;  // -1 once reaped or moved from
  UniqueFd pidfd_;
  UniqueFd notify_;
  UniqueFd control_;
  WorkerFiles files_;
  std::string buffer_;
};

}  // namespace mimeo::bench

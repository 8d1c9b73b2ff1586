// A child process with its stdin and stdout on pipes (for `mimeo demo`, which
// drives `mimeo clone` as a user would). Killed and reaped when destroyed.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "base/unique_fd.h"

namespace mimeo::cli {

class ChildProcess {
 public:
  // stderr is discarded when `quiet_stderr`.
  static Result<ChildProcess> spawn(const std::vector<std::string>& argv, bool quiet_stderr);
  ~ChildProcess();
  ChildProcess(ChildProcess&&) noexcept;
  ChildProcess& operator=(ChildProcess&&) = delete;
  ChildProcess(const ChildProcess&) = delete;

  [[nodiscard]] pid_t pid() const { return pid_; }
  Status send(const std::string& text);
  // The next line on stdout (without '\n'); nullopt on timeout or EOF.
  std::optional<std::string> read_line(std::chrono::milliseconds timeout);
  // Waits for the exit status (-1 when killed by a signal).
  int wait();

 private:
  ChildProcess(pid_t pid, UniqueFd in, UniqueFd out)
      : pid_(pid), in_(std::move(in)), out_(std::move(out)) {}
  pid_t pid_ = -1;
  UniqueFd in_;
  UniqueFd out_;
  std::string buffer_;
};

}  // namespace mimeo::cli

// A forked child for the in-process model: it runs the clones, reports one
// line (JSON) on a pipe, then waits for one command byte. A fault in one of
// its clones kills it and not the bench, which is what is being shown.
// Fork only while this process has one thread.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <string>
#include <utility>

#include "base/result.h"
#include "base/unique_fd.h"
#include "console_client.h"

namespace mimeo::bench {

// The child's side: report a line, wait for a command.
struct ChildChannel {
  int report_fd = -1;
  int command_fd = -1;

  void report(const std::string& line) const;
  // The next command byte; 0 if the parent is gone.
  [[nodiscard]] char command() const;
};

class ForkedChild {
 public:
  // Runs `body` in a child; its return value is the child's exit status.
  static Result<ForkedChild> start(const std::function<int(const ChildChannel&)>& body);
  ForkedChild(ForkedChild&& other) noexcept
      : pid_(std::exchange(other.pid_, -1)),
        pidfd_(std::move(other.pidfd_)),
        report_(std::move(other.report_)),
        command_(std::move(other.command_)),
        reaped_(other.reaped_),
        buffer_(std::move(other.buffer_)) {}
  ForkedChild& operator=(ForkedChild&&) = delete;
  // Kills and reaps a child still running.
  ~ForkedChild();

  [[nodiscard]] Result<std::string> read_report(Clock::time_point deadline);
  [[nodiscard]] Status send_command(char command);
  // How the child ended ("exited with status 0", "killed by SIGSEGV"),
  // or an error at the deadline.
  [[nodiscard]] Result<std::string> wait_end(Clock::time_point deadline);

 private:
  ForkedChild(pid_t pid, UniqueFd pidfd, UniqueFd report, UniqueFd command)
      : pid_(pid),
        pidfd_(std::move(pidfd)),
        report_(std::move(report)),
        command_(std::move(command)) {}

  pid_t pid_ = -1;
  UniqueFd pidfd_;
  UniqueFd report_;
  UniqueFd command_;
  bool reaped_ = false;
  std::string buffer_;
};

}  // namespace mimeo::bench

// `exec:COMMAND` migration: `/bin/sh -c COMMAND` with a pipe on its stdin (the stream
// goes to it) or on its stdout (the stream comes from it), as QEMU runs it: the other
// standard stream is /dev/null, stderr is mimeo's. The child starts with every signal
// at its default and none blocked (mimeo blocks its stop signals and ignores SIGPIPE),
// no other descriptor of mimeo's, and in its own process group, so kill() ends the
// whole pipeline it may start.
#pragma once

#include <sys/types.h>

#include <memory>
#include <mutex>
#include <string>

#include "base/result.h"
#include "base/unique_fd.h"

namespace mimeo::qmp {

class ExecChild {
 public:
  enum class Direction { kToChild, kFromChild };

  // Errors name the command.
  static Result<std::unique_ptr<ExecChild>> spawn(const std::string& command, Direction direction);
  // Kills and reaps a child that was not waited for.
  ~ExecChild();
  ExecChild(const ExecChild&) = delete;
  ExecChild& operator=(const ExecChild&) = delete;

  // Our end of the pipe: write to it (kToChild) or read from it (kFromChild).
  [[nodiscard]] int pipe_fd() const { return pipe_.get(); }
  // Closes our end: the child sees end of input.
  void close_pipe() { pipe_.reset(); }
  // Waits for the child to end; an error unless it exited with status 0.
  Status wait();
  // From any thread: SIGKILL to the child's process group, unless it was reaped.
  void kill();
  // After wait(): the child ended by exit() (with any status), not by a signal.
  [[nodiscard]] bool exited() const { return exited_; }

  [[nodiscard]] const std::string& command() const { return command_; }

 private:
  ExecChild(pid_t pid, UniqueFd pipe, std::string command)
      : pid_(pid), pipe_(std::move(pipe)), command_(std::move(command)) {}

  pid_t pid_;
  UniqueFd pipe_;
  std::string command_;
  std::mutex mutex_;     // orders kill() against reaping
  bool reaped_ = false;  // guarded by mutex_
  bool exited_ = false;
};

}  // namespace mimeo::qmp

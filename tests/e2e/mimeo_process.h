// build/mimeo as a user runs it (`mimeo run`, `mimeo template create`, `mimeo
// clone`, ...): a child process with its stdin, stdout and stderr on pipes.
// Every wait is bounded; a child still running when the object goes away (a
// failed test) is killed and reaped.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "e2e/line_channel.h"

namespace mimeo::e2e {

inline constexpr milliseconds kBootTimeout{10'000};
inline constexpr milliseconds kExitTimeout{10'000};

class MimeoProcess {
 public:
  // Starts `MIMEO_BINARY ARGS...`; nullptr (with a test failure) if it cannot.
  static std::unique_ptr<MimeoProcess> start(const std::vector<std::string>& args);
  // Starts `MIMEO_BINARY run ARGS...`.
  static std::unique_ptr<MimeoProcess> run(const std::vector<std::string>& args);
  ~MimeoProcess();
  MimeoProcess(const MimeoProcess&) = delete;
  MimeoProcess& operator=(const MimeoProcess&) = delete;

  [[nodiscard]] pid_t pid() const { return pid_; }
  // stdout and stdin: COM1 when it is on stdio (a clone's default console).
  LineChannel& console() { return console_; }
  // Waits for the guest's "mimeo-guest ready" on stdout.
  bool wait_ready(milliseconds timeout = kBootTimeout);

  // The exit status (128 + N when killed by signal N), after reading stdout and
  // stderr to their end; nullopt if the process did not end in time (it is then killed).
  std::optional<int> wait_exit(milliseconds timeout = kExitTimeout);
  // stderr so far (all of it after wait_exit).
  const std::string& stderr_text();
  // The next stderr line starting with `prefix` (earlier lines are kept in
  // stderr_text() but skipped), nullopt if none comes in time.
  std::optional<std::string> stderr_line(const std::string& prefix, milliseconds timeout);
  bool signal(int sig) const;

 private:
  MimeoProcess() = default;
  void drain(milliseconds timeout);

  pid_t pid_ = -1;
  bool reaped_ = false;
  LineChannel console_;
  LineChannel stderr_;
};

// The options every guest boot takes: the kernel and the exit device at the
// port the test guest writes (docs/guest.md).
std::vector<std::string> guest_args(const std::string& kernel = MIMEO_GUEST_ELF);

// `a` then `b`.
std::vector<std::string> operator+(std::vector<std::string> a, const std::vector<std::string>& b);

}  // namespace mimeo::e2e

#include "forked_child.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstring>

namespace mimeo::bench {

namespace {

int millis_until(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return left.count() < 0 ? 0 : static_cast<int>(left.count());
}

std::string describe_status(int status) {
  if (WIFSIGNALED(status)) {
    const int sig = WTERMSIG(status);
    const char* abbrev = sigabbrev_np(sig);
    return std::string("the process was killed by SIG") + (abbrev ? abbrev : std::to_string(sig));
  }
  return "the process exited with status " + std::to_string(WEXITSTATUS(status));
}

}  // namespace

void ChildChannel::report(const std::string& line) const {
  const std::string text = line + "\n";
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(report_fd, text.data() + done, text.size() - done);
    if (n <= 0) {
      return;  // the parent is gone
    }
    done += static_cast<size_t>(n);
  }
}

char ChildChannel::command() const {
  char c = 0;
  return ::read(command_fd, &c, 1) == 1 ? c : 0;
}

Result<ForkedChild> ForkedChild::start(const std::function<int(const ChildChannel&)>& body) {
  int report[2];
  int command[2];
  if (::pipe2(report, O_CLOEXEC) != 0 || ::pipe2(command, O_CLOEXEC) != 0) {
    return errno_error("pipe");
  }
  UniqueFd report_read(report[0]), report_write(report[1]);
  UniqueFd command_read(command[0]), command_write(command[1]);
  std::fflush(nullptr);  // nothing buffered is printed twice
  const pid_t pid = ::fork();
  if (pid < 0) {
    return errno_error("fork");
  }
  if (pid == 0) {
    // A crashing child with hundreds of guest mappings must not write a core.
    const rlimit no_core{0, 0};
    ::setrlimit(RLIMIT_CORE, &no_core);
    report_read.reset();
    command_write.reset();
    const int status = body(ChildChannel{report_write.get(), command_read.get()});
    std::fflush(nullptr);
    ::_exit(status);
  }
  const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  if (pidfd < 0) {
    const Error error = errno_error("pidfd_open");
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    return error;
  }
  return ForkedChild(pid, UniqueFd(pidfd), std::move(report_read), std::move(command_write));
}

ForkedChild::~ForkedChild() {
  if (pid_ > 0 && !reaped_) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
}

Result<std::string> ForkedChild::read_report(Clock::time_point deadline) {
  for (;;) {
    if (const size_t newline = buffer_.find('\n'); newline != std::string::npos) {
      std::string line = buffer_.substr(0, newline);
      buffer_.erase(0, newline + 1);
      return line;
    }
    pollfd p{report_.get(), POLLIN, 0};
    const int ready = ::poll(&p, 1, millis_until(deadline));
    if (ready == 0) {
      return make_error("the in-process child reported nothing in time");
    }
    if (ready < 0) {
      continue;  // EINTR
    }
    char chunk[4096];
    const ssize_t n = ::read(report_.get(), chunk, sizeof chunk);
    if (n == 0) {
      return make_error("the in-process child ended without a report");
    }
    if (n > 0) {
      buffer_.append(chunk, static_cast<size_t>(n));
    }
  }
}

Status ForkedChild::send_command(char command) {
  if (::write(command_.get(), &command, 1) != 1) {
    return errno_error("write to the in-process child");
  }
  return {};
}

Result<std::string> ForkedChild::wait_end(Clock::time_point deadline) {
  pollfd p{pidfd_.get(), POLLIN, 0};
  while (::poll(&p, 1, millis_until(deadline)) <= 0) {
    if (Clock::now() >= deadline) {
      return make_error("the in-process child did not end in time");
    }
  }
  int status = 0;
  if (::waitpid(pid_, &status, 0) != pid_) {
    return errno_error("waitpid");
  }
  reaped_ = true;
  return describe_status(status);
}

}  // namespace mimeo::bench

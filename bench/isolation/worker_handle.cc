#include "worker_handle.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <utility>
#include <vector>

#include "chardev/unix_socket.h"

extern char** environ;

namespace mimeo::bench {

namespace {

int millis_until(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return left.count() < 0 ? 0 : static_cast<int>(left.count());
}

}  // namespace

Result<WorkerHandle> WorkerHandle::spawn(const std::string& binary, const std::string& template_dir,
                                         const std::string& id, const WorkerFiles& files) {
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) {
    return errno_error("pipe");
  }
  UniqueFd notify_read(pipe_fds[0]);
  UniqueFd notify_write(pipe_fds[1]);
  constexpr int kNotifyFd = 3;
  std::vector<std::string> argv = {binary,        "worker",      "--template",
                                   template_dir,  "--id",        id,
                                   "--control",   files.control, "--console",
                                   files.console, "--notify-fd", std::to_string(kNotifyFd)};
  std::vector<char*> args;
  for (auto& a : argv) {
    args.push_back(a.data());
  }
  args.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, files.log.c_str(), O_WRONLY | O_CREAT | O_APPEND,
                                   0600);
  posix_spawn_file_actions_adddup2(&actions, 2, 1);
  posix_spawn_file_actions_adddup2(&actions, notify_write.get(), kNotifyFd);
  posix_spawn_file_actions_addclosefrom_np(&actions, kNotifyFd + 1);
  pid_t pid = -1;
  const int error = ::posix_spawn(&pid, binary.c_str(), &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (error != 0) {
    return errno_error("spawn " + binary + " worker", error);
  }
  const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  if (pidfd < 0) {
    const Error failed = errno_error("pidfd_open");
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    return failed;
  }
  return WorkerHandle(pid, UniqueFd(pidfd), std::move(notify_read), files);
}

WorkerHandle::WorkerHandle(WorkerHandle&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)),
      pidfd_(std::move(other.pidfd_)),
      notify_(std::move(other.notify_)),
      control_(std::move(other.control_)),
      files_(std::move(other.files_)),
      buffer_(std::move(other.buffer_)) {}

WorkerHandle::~WorkerHandle() {
  if (pid_ > 0) {
    ::syscall(SYS_pidfd_send_signal, pidfd_.get(), SIGKILL, nullptr, 0);
    ::waitpid(pid_, nullptr, 0);
  }
}

Result<std::string> WorkerHandle::read_line(int fd, Clock::time_point deadline) {
  for (;;) {
    if (const size_t newline = buffer_.find('\n'); newline != std::string::npos) {
      std::string line = buffer_.substr(0, newline);
      buffer_.erase(0, newline + 1);
      return line;
    }
    pollfd p{fd, POLLIN, 0};
    const int ready = ::poll(&p, 1, millis_until(deadline));
    if (ready == 0) {
      return make_error("worker " + std::to_string(pid_) + ": no answer in time (" + files_.log +
                        ")");
    }
    if (ready < 0) {
      continue;  // EINTR
    }
    char chunk[512];
    const ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n == 0) {
      return make_error("worker " + std::to_string(pid_) + " hung up (" + files_.log + ")");
    }
    if (n > 0) {
      buffer_.append(chunk, static_cast<size_t>(n));
    }
  }
}

Status WorkerHandle::wait_ready(Clock::time_point deadline) {
  MIMEO_ASSIGN_OR_RETURN(auto line, read_line(notify_.get(), deadline));
  notify_.reset();
  if (line != "ready") {
    return make_error("worker " + std::to_string(pid_) + ": " + line);
  }
  buffer_.clear();
  MIMEO_ASSIGN_OR_RETURN(control_, chardev::connect_unix(files_.control));
  return {};
}

Result<std::string> WorkerHandle::command(const std::string& line, Clock::time_point deadline) {
  const std::string request = line + "\n";
  // A request line is far below a socket's buffer: one send takes it whole.
  if (::send(control_.get(), request.data(), request.size(), MSG_NOSIGNAL) !=
      static_cast<ssize_t>(request.size())) {
    return errno_error("worker " + std::to_string(pid_) + ": send " + line);
  }
  MIMEO_ASSIGN_OR_RETURN(auto reply, read_line(control_.get(), deadline));
  if (!reply.starts_with("ok ")) {
    return make_error("worker " + std::to_string(pid_) + ": " + line + ": " + reply);
  }
  return reply.substr(3);
}

Result<std::string> WorkerHandle::kill_and_reap(Clock::time_point deadline) {
  if (::syscall(SYS_pidfd_send_signal, pidfd_.get(), SIGKILL, nullptr, 0) != 0) {
    return errno_error("pidfd_send_signal");
  }
  pollfd p{pidfd_.get(), POLLIN, 0};
  if (::poll(&p, 1, millis_until(deadline)) <= 0) {
    return make_error("worker " + std::to_string(pid_) + " did not end after SIGKILL");
  }
  int status = 0;
  if (::waitpid(pid_, &status, 0) != pid_) {
    return errno_error("waitpid");
  }
  pid_ = -1;
  return WIFSIGNALED(status)
             ? "the worker was killed by signal " + std::to_string(WTERMSIG(status))
             : "the worker exited with status " + std::to_string(WEXITSTATUS(status));
}

}  // namespace mimeo::bench

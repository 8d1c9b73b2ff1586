#include "service/worker_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <new>
#include <optional>
#include <utility>
#include <vector>

#include "base/cpu_priority.h"
#include "base/read_file.h"
#include "chardev/unix_socket.h"

extern char** environ;

namespace mimeo::service {

namespace {

using Clock = std::chrono::steady_clock;

Result<UniqueFd> open_pidfd(pid_t pid) {
  int fd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  if (fd < 0) {
    return errno_error("pidfd_open " + std::to_string(pid));
  }
  return UniqueFd(fd);
}

int millis_until(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return left.count() < 0 ? 0 : static_cast<int>(left.count());
}

// One '\n'-terminated line from a non-blocking fd, keeping what follows it in `buffer`.
Result<std::string> read_line(int fd, std::string& buffer, Clock::time_point deadline,
                              const std::string& what) {
  for (;;) {
    if (auto newline = buffer.find('\n'); newline != std::string::npos) {
      std::string line = buffer.substr(0, newline);
      buffer.erase(0, newline + 1);
      return line;
    }
    pollfd p{fd, POLLIN, 0};
    int ready = ::poll(&p, 1, millis_until(deadline));
    if (ready < 0 && errno == EINTR) {
      continue;
    }
    if (ready == 0) {
      return make_error(what + ": no answer in time");
    }
    char chunk[512];
    ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
      continue;
    }
    if (n <= 0) {
      return make_error(what + ": the worker hung up");
    }
    buffer.append(chunk, static_cast<size_t>(n));
  }
}

Status write_all(int fd, const std::string& text, Clock::time_point deadline) {
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::send(fd, text.data() + done, text.size() - done, MSG_NOSIGNAL);
    if (n > 0) {
      done += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EAGAIN) {
      pollfd p{fd, POLLOUT, 0};
      if (::poll(&p, 1, millis_until(deadline)) == 0) {
        return make_error("worker control: write timed out");
      }
      continue;
    }
    if (n < 0 && errno == EINTR) {
      continue;
    }
    return errno_error("worker control: write");
  }
  return {};
}

}  // namespace

Result<WorkerProcess> WorkerProcess::spawn(const std::string& binary,
                                           const std::string& template_dir, const std::string& id,
                                           const WorkerPaths& paths, WorkerPriority priority) {
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) {
    return errno_error("pipe");
  }
  UniqueFd notify_read(pipe_fds[0]);
  UniqueFd notify_write(pipe_fds[1]);
  constexpr int kNotifyFd = 3;
  std::vector<std::string> argv = {binary,        "worker",      "--template",
                                   template_dir,  "--id",        id,
                                   "--control",   paths.control, "--console",
                                   paths.console, "--notify-fd", std::to_string(kNotifyFd)};
  const bool idle = priority == WorkerPriority::kIdleUntilStart;
  if (idle) {
    argv.emplace_back("--idle-until-start");
  }
  std::vector<char*> args;
  for (auto& a : argv) {
    args.push_back(a.data());
  }
  args.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, paths.log.c_str(), O_WRONLY | O_CREAT | O_APPEND,
                                   0600);
  posix_spawn_file_actions_adddup2(&actions, 2, 1);
  posix_spawn_file_actions_adddup2(&actions, notify_write.get(), kNotifyFd);
  // The daemon's sockets and database must not live on in its clones.
  posix_spawn_file_actions_addclosefrom_np(&actions, kNotifyFd + 1);
  // Default signal dispositions and an empty mask, whatever the daemon's threads block.
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  sigset_t none;
  sigset_t all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attributes, &none);
  posix_spawnattr_setsigdefault(&attributes, &all);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  // The child is created at SCHED_IDLE, so that nothing of the worker runs
  // at normal priority until it is warm. Not with POSIX_SPAWN_SETSCHEDULER:
  // glibc's posix_spawnattr_setschedpolicy() refuses SCHED_IDLE (EINVAL; it
  // takes SCHED_OTHER, SCHED_FIFO and SCHED_RR only). A new task takes the
  // policy of the thread that creates it, so this thread spawns at idle
  // priority and goes back at once: posix_spawn() returns once the child has
  // called exec, and no lock is held meanwhile.
  if (idle) {
    if (auto lowered = set_thread_idle(0); !lowered.ok()) {
      posix_spawn_file_actions_destroy(&actions);
      posix_spawnattr_destroy(&attributes);
      return lowered.error();
    }
  }
  pid_t pid = -1;
  int error = ::posix_spawn(&pid, binary.c_str(), &actions, &attributes, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  // The caller checked can_leave_idle_priority(), so this fails only where
  // something else (seccomp, an LSM) forbids it: then the worker could not
  // leave it either, and is not kept.
  Status back;
  if (auto left = idle ? leave_idle_priority(0) : Result<bool>(false); !left.ok()) {
    back = left.error().context("spawning at idle priority");
  }
  if (error != 0) {
    return errno_error("spawn " + binary + " worker", error);
  }
  // A child is not reaped until we wait for it, so its pid cannot be reused
  // before this pidfd refers to it.
  auto pidfd = open_pidfd(pid);
  if (!pidfd.ok() || !back.ok()) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    return pidfd.ok() ? back.error() : pidfd.error();
  }
  WorkerProcess worker(pid, std::move(*pidfd), true, paths);
  worker.id_ = id;
  worker.notify_ = std::move(notify_read);
  return worker;
}

Result<WorkerProcess> WorkerProcess::attach(const WorkerPaths& paths, pid_t pid,
                                            std::chrono::milliseconds timeout) {
  // The pidfd first, then the check: if `status` names this pid, the pidfd
  // refers to the worker (the pid cannot be reused while the worker lives).
  MIMEO_ASSIGN_OR_RETURN(auto pidfd, open_pidfd(pid));
  WorkerProcess worker(pid, std::move(pidfd), false, paths);
  MIMEO_TRY(worker.connect_control(timeout));
  MIMEO_ASSIGN_OR_RETURN(auto status, worker.command("status", timeout));
  if (status.find(" pid=" + std::to_string(pid) + " ") == std::string::npos &&
      !status.ends_with(" pid=" + std::to_string(pid))) {
    return make_error(paths.control + ": the worker there is not pid " + std::to_string(pid) +
                      " (" + status + ")");
  }
  return worker;
}

WorkerProcess::WorkerProcess(WorkerProcess&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)),
      pidfd_(std::move(other.pidfd_)),
      child_(std::exchange(other.child_, false)),
      reaped_(other.reaped_),
      paths_(std::move(other.paths_)),
      id_(std::move(other.id_)),
      notify_(std::move(other.notify_)),
      control_(std::move(other.control_)),
      buffer_(std::move(other.buffer_)),
      unanswered_(std::exchange(other.unanswered_, 0)) {}

WorkerProcess& WorkerProcess::operator=(WorkerProcess&& other) noexcept {
  if (this != &other) {
    this->~WorkerProcess();
    new (this) WorkerProcess(std::move(other));
  }
  return *this;
}

WorkerProcess::~WorkerProcess() {
  if (child_ && !reaped_ && pid_ > 0) {
    // A worker dropped without reaping is killed: it was never handed out.
    kill();
    ::waitpid(pid_, nullptr, 0);
  }
}

Status WorkerProcess::connect_control(std::chrono::milliseconds timeout) {
  MIMEO_ASSIGN_OR_RETURN(control_, chardev::connect_unix(paths_.control));
  (void)timeout;
  return {};
}

std::string WorkerProcess::name() const {
  return "clone worker " + (id_.empty() ? std::string() : id_ + " ") + "(pid " +
         std::to_string(pid_) + ")";
}

Status WorkerProcess::wait_ready(std::chrono::milliseconds timeout) {
  const auto started = Clock::now();
  std::string buffer;
  auto line = read_line(notify_.get(), buffer, started + timeout, "ready");
  // Without a line: the pipe is at its end (the worker closed it, ending),
  // or it is still open (the worker is silent).
  pollfd notify{notify_.get(), POLLIN, 0};
  const bool closed = !line.ok() && ::poll(&notify, 1, 0) > 0;
  notify_.reset();
  if (line.ok() && *line == "ready") {
    return connect_control(timeout);
  }
  if (line.ok()) {  // the worker's own message: what failed
    return make_error(name() + ": " + (line->starts_with("error ") ? line->substr(6) : *line));
  }
  // No line: it ended without one, or did not answer in time. Its log says
  // what it was doing.
  const std::string last = last_line_of(paths_.log);
  const std::string log =
      "its log " + paths_.log + (last.empty() ? " is empty" : " ends with: " + last);
  if (closed) {
    // It is ending, most likely (the pidfd turns readable a moment after its
    // files are closed).
    pollfd p{pidfd_.get(), POLLIN, 0};
    const bool gone = ::poll(&p, 1, 100) > 0;
    return make_error(name() + (gone ? " ended" : " closed its --notify-fd") +
                      " before it was ready; " + log);
  }
  return make_error(name() + ": no ready notification on its --notify-fd after " +
                    std::to_string(timeout.count()) + " ms; " + log);
}

Result<std::string> WorkerProcess::command(const std::string& line,
                                           std::chrono::milliseconds timeout) {
  if (!control_) {
    return make_error("clone worker " + std::to_string(pid_) + ": not connected");
  }
  const auto deadline = Clock::now() + timeout;
  MIMEO_TRY(write_all(control_.get(), line + "\n", deadline));
  // Replies come in order: first those of commands sent without waiting.
  std::optional<Error> earlier;
  for (; unanswered_ > 0; --unanswered_) {
    auto reply =
        read_line(control_.get(), buffer_, deadline, "clone worker " + std::to_string(pid_));
    if (!reply.ok()) {
      return reply.error();
    }
    if (!reply->starts_with("ok") && !earlier) {
      earlier = make_error(reply->starts_with("error ") ? reply->substr(6) : *reply);
    }
  }
  auto answer =
      read_line(control_.get(), buffer_, deadline, "clone worker " + std::to_string(pid_));
  if (!answer.ok()) {
    return answer.error();
  }
  if (earlier) {
    return *earlier;
  }
  const std::string& reply = *answer;
  if (reply.rfind("ok", 0) == 0) {
    return reply.size() > 3 ? reply.substr(3) : std::string();
  }
  return make_error(reply.rfind("error ", 0) == 0 ? reply.substr(6) : reply);
}

Status WorkerProcess::send(const std::string& line, std::chrono::milliseconds timeout) {
  if (!control_) {
    return make_error("clone worker " + std::to_string(pid_) + ": not connected");
  }
  MIMEO_TRY(write_all(control_.get(), line + "\n", Clock::now() + timeout));
  ++unanswered_;
  return {};
}

bool WorkerProcess::ended() const {
  pollfd p{pidfd_.get(), POLLIN, 0};
  return ::poll(&p, 1, 0) > 0;
}

void WorkerProcess::kill() const {
  if (pidfd_) {
    ::syscall(SYS_pidfd_send_signal, pidfd_.get(), SIGKILL, nullptr, 0);
  }
}

WorkerExit WorkerProcess::reap() {
  WorkerExit exit;
  if (child_ && !reaped_) {
    siginfo_t info{};
    if (::waitid(static_cast<idtype_t>(P_PIDFD), static_cast<id_t>(pidfd_.get()), &info, WEXITED) ==
        0) {
      reaped_ = true;
      exit.known = true;
      exit.signaled = info.si_code != CLD_EXITED;
      exit.code = info.si_status;
    }
  }
  exit.last_words = last_line_of(paths_.log);
  return exit;
}

std::string last_line_of(const std::string& path) {
  auto text = read_whole_file(path);
  if (!text.ok()) {
    return {};
  }
  std::string_view all(reinterpret_cast<const char*>(text->data()), text->size());
  while (!all.empty() && (all.back() == '\n' || all.back() == '\r' || all.back() == ' ')) {
    all.remove_suffix(1);
  }
  auto newline = all.rfind('\n');
  return std::string(newline == std::string_view::npos ? all : all.substr(newline + 1));
}

}  // namespace mimeo::service

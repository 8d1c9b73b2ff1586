#include "qmp/exec_child.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>

extern char** environ;

namespace mimeo::qmp {

namespace {

// posix_spawn's attribute and file-action objects, destroyed on every path.
struct SpawnSetup {
  posix_spawnattr_t attr{};
  posix_spawn_file_actions_t actions{};
  SpawnSetup() {
    posix_spawnattr_init(&attr);
    posix_spawn_file_actions_init(&actions);
  }
  ~SpawnSetup() {
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
  }
  SpawnSetup(const SpawnSetup&) = delete;
  SpawnSetup& operator=(const SpawnSetup&) = delete;
};

std::string describe_status(int status) {
  if (WIFEXITED(status)) {
    return "exited with status " + std::to_string(WEXITSTATUS(status));
  }
  if (WIFSIGNALED(status)) {
    const char* name = sigabbrev_np(WTERMSIG(status));
    return std::string("was killed by SIG") + (name != nullptr ? name : "?");
  }
  return "ended with wait status " + std::to_string(status);
}

}  // namespace

Result<std::unique_ptr<ExecChild>> ExecChild::spawn(const std::string& command,
                                                    Direction direction) {
  const std::string what = "exec:" + command;
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    return errno_error(what + ": pipe");
  }
  UniqueFd read_end(fds[0]);
  UniqueFd write_end(fds[1]);
  UniqueFd null(::open("/dev/null", O_RDWR | O_CLOEXEC));
  if (!null) {
    return errno_error(what + ": open /dev/null");
  }
  const bool to_child = direction == Direction::kToChild;
  const int child_end = to_child ? read_end.get() : write_end.get();

  SpawnSetup setup;
  sigset_t none;
  sigemptyset(&none);
  sigset_t all;
  sigfillset(&all);
  posix_spawnattr_setsigmask(&setup.attr, &none);
  posix_spawnattr_setsigdefault(&setup.attr, &all);
  posix_spawnattr_setpgroup(&setup.attr, 0);
  posix_spawnattr_setflags(&setup.attr,
                           POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);
  posix_spawn_file_actions_adddup2(&setup.actions, to_child ? child_end : null.get(), 0);
  posix_spawn_file_actions_adddup2(&setup.actions, to_child ? null.get() : child_end, 1);
  // Only stdin, stdout and stderr reach the command.
  posix_spawn_file_actions_addclosefrom_np(&setup.actions, 3);

  const char* argv[] = {"/bin/sh", "-c", command.c_str(), nullptr};
  pid_t pid = 0;
  int err = posix_spawn(&pid, "/bin/sh", &setup.actions, &setup.attr,
                        const_cast<char* const*>(argv), environ);
  if (err != 0) {
    return errno_error(what + ": cannot run /bin/sh", err);
  }
  UniqueFd ours = to_child ? std::move(write_end) : std::move(read_end);
  return std::unique_ptr<ExecChild>(new ExecChild(pid, std::move(ours), command));
}

ExecChild::~ExecChild() {
  pipe_.reset();
  bool reaped = false;
  {
    std::lock_guard lock(mutex_);
    reaped = reaped_;
  }
  if (!reaped) {
    kill();
    (void)wait();
  }
}

Status ExecChild::wait() {
  // Wait without reaping first, so that kill() from another thread never signals a
  // process group whose leader was reaped (its id could be reused).
  siginfo_t info{};
  while (::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOWAIT) != 0) {
    if (errno != EINTR) {
      return errno_error("exec:" + command_ + ": waitid");
    }
  }
  int status = 0;
  {
    std::lock_guard lock(mutex_);
    while (::waitpid(pid_, &status, 0) < 0) {
      if (errno != EINTR) {
        reaped_ = true;
        return errno_error("exec:" + command_ + ": waitpid");
      }
    }
    reaped_ = true;
  }
  exited_ = WIFEXITED(status);
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
    return {};
  }
  return make_error("exec:" + command_ + ": the command " + describe_status(status));
}

void ExecChild::kill() {
  std::lock_guard lock(mutex_);
  if (!reaped_) {
    ::kill(-pid_, SIGKILL);
  }
}

}  // namespace mimeo::qmp

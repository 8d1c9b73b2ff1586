#include "e2e/mimeo_process.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstring>
#include <thread>

extern char** environ;

namespace mimeo::e2e {

namespace {

using Clock = std::chrono::steady_clock;

struct Pipe {
  UniqueFd read;
  UniqueFd write;
};

Pipe make_pipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    return {};
  }
  return {UniqueFd(fds[0]), UniqueFd(fds[1])};
}

int status_of(int wait_status) {
  if (WIFEXITED(wait_status)) {
    return WEXITSTATUS(wait_status);
  }
  return 128 + WTERMSIG(wait_status);
}

}  // namespace

std::unique_ptr<MimeoProcess> MimeoProcess::start(const std::vector<std::string>& args) {
  // A child that is gone must fail a write, not kill the test binary.
  std::signal(SIGPIPE, SIG_IGN);
  Pipe in = make_pipe();
  Pipe out = make_pipe();
  Pipe err = make_pipe();
  if (!in.read || !out.read || !err.read) {
    ADD_FAILURE() << "pipe2 failed";
    return nullptr;
  }
  std::vector<std::string> argv_storage = {MIMEO_BINARY};
  argv_storage.insert(argv_storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& arg : argv_storage) {
    argv.push_back(arg.data());
  }
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in.read.get(), STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, out.write.get(), STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err.write.get(), STDERR_FILENO);
  // Its own process group (a terminal's Ctrl-C reaches only the test binary), no
  // signal blocked, SIGPIPE at its default.
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr,
                           POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);
  sigset_t defaults;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  posix_spawnattr_setsigdefault(&attr, &defaults);

  std::unique_ptr<MimeoProcess> process(new MimeoProcess());
  int rc = posix_spawn(&process->pid_, MIMEO_BINARY, &actions, &attr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    ADD_FAILURE() << "posix_spawn " << MIMEO_BINARY << ": " << strerror(rc);
    return nullptr;
  }
  process->console_ = LineChannel(std::move(out.read), std::move(in.write));
  process->stderr_ = LineChannel(std::move(err.read));
  return process;
}

std::unique_ptr<MimeoProcess> MimeoProcess::run(const std::vector<std::string>& args) {
  return start(std::vector<std::string>{"run"} + args);
}

MimeoProcess::~MimeoProcess() {
  if (pid_ > 0 && !reaped_) {
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
}

bool MimeoProcess::wait_ready(milliseconds timeout) {
  return console_.wait_for_line("mimeo-guest ready", timeout);
}

bool MimeoProcess::signal(int sig) const { return !reaped_ && ::kill(pid_, sig) == 0; }

const std::string& MimeoProcess::stderr_text() {
  stderr_.read_available();
  return stderr_.text();
}

std::optional<std::string> MimeoProcess::stderr_line(const std::string& prefix,
                                                     milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) {
      return std::nullopt;
    }
    auto line = stderr_.next_line(left);
    if (!line) {
      return std::nullopt;
    }
    if (line->starts_with(prefix)) {
      return line;
    }
  }
}

void MimeoProcess::drain(milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    std::vector<pollfd> fds;
    for (LineChannel* channel : {&console_, &stderr_}) {
      if (channel->valid() && !channel->eof()) {
        fds.push_back({channel->fd(), POLLIN, 0});
      }
    }
    if (fds.empty()) {
      return;
    }
    ::poll(fds.data(), fds.size(), 20);
    console_.read_available();
    stderr_.read_available();
  }
}

std::optional<int> MimeoProcess::wait_exit(milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (!reaped_) {
    int status = 0;
    pid_t done = ::waitpid(pid_, &status, WNOHANG);
    if (done == pid_) {
      reaped_ = true;
      // Its pipes reach EOF now, unless a grandchild kept them (none does).
      drain(milliseconds(2000));
      return status_of(status);
    }
    if (Clock::now() >= deadline) {
      ADD_FAILURE() << "mimeo (pid " << pid_ << ") still running after " << timeout.count()
                    << " ms; killing it. stderr so far: " << stderr_text();
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
      reaped_ = true;
      return std::nullopt;
    }
    // Keep the pipes flowing so the child never blocks on a full one.
    console_.read_available();
    stderr_.read_available();
    std::this_thread::sleep_for(milliseconds(2));
  }
  return std::nullopt;
}

std::vector<std::string> guest_args(const std::string& kernel) {
  return {"-kernel", kernel, "-device", "isa-debug-exit,iobase=0xf4,iosize=1"};
}

std::vector<std::string> operator+(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

}  // namespace mimeo::e2e

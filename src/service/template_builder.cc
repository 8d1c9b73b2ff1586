#include "service/template_builder.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>

#include "base/unique_fd.h"

namespace mimeo::service {

namespace {

// The command's last line, without its "mimeo template create: " prefix.
std::string failure_message(const std::string& output, int status) {
  std::string_view text = output;
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) {
    text.remove_suffix(1);
  }
  auto newline = text.rfind('\n');
  std::string_view last = newline == std::string_view::npos ? text : text.substr(newline + 1);
  constexpr std::string_view kPrefix = "mimeo template create: ";
  if (last.starts_with(kPrefix)) {
    last.remove_prefix(kPrefix.size());
  }
  if (last.empty()) {
    return WIFSIGNALED(status)
               ? fmt::format("template create was killed by signal {}", WTERMSIG(status))
               : fmt::format("template create failed with status {}", WEXITSTATUS(status));
  }
  return std::string(last);
}

// A guest that touches a page of its RAM file on a full disk gets SIGBUS
// rather than an error message; so a failure with (almost) no space left is
// reported as what it is.
bool disk_full_at(const std::string& dir) {
  const std::string parent = dir.substr(0, dir.rfind('/'));
  struct statvfs fs {};
  return ::statvfs(parent.c_str(), &fs) == 0 &&
         static_cast<uint64_t>(fs.f_bavail) * fs.f_frsize < (1u << 20);
}

}  // namespace

std::vector<std::string> template_create_argv(const std::string& binary, const std::string& dir,
                                              const TemplateSpec& spec) {
  std::vector<std::string> argv = {binary, "template", "create", dir, "--quiet"};
  if (spec.ready.serial_text) {
    argv.insert(argv.end(), {"--ready-on-serial", *spec.ready.serial_text});
  } else if (spec.ready.after_seconds) {
    argv.insert(argv.end(), {"--ready-after", fmt::format("{}", *spec.ready.after_seconds)});
  }
  argv.insert(argv.end(), {"--timeout", fmt::format("{}", spec.timeout_seconds), "--", "-m",
                           spec.memory, "-smp", std::to_string(spec.cpus), "-kernel", spec.kernel});
  if (spec.initrd) {
    argv.insert(argv.end(), {"-initrd", *spec.initrd});
  }
  if (!spec.cmdline.empty()) {
    argv.insert(argv.end(), {"-append", spec.cmdline});
  }
  return argv;
}

ServiceStatus build_template(const std::string& binary, const std::string& dir,
                             const TemplateSpec& spec) {
  auto argv = template_create_argv(binary, dir, spec);
  std::vector<char*> args;
  for (auto& a : argv) {
    args.push_back(a.data());
  }
  args.push_back(nullptr);
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) {
    return internal(errno_error("pipe"));
  }
  UniqueFd output(pipe_fds[0]);
  UniqueFd output_write(pipe_fds[1]);
  const pid_t parent = ::getpid();
  // fork + exec rather than posix_spawn: the child must die with the daemon
  // (PR_SET_PDEATHSIG), so that a template is never published after a
  // restarted daemon has cleaned up. Only async-signal-safe calls until exec.
  pid_t pid = ::fork();
  if (pid < 0) {
    return internal(errno_error("fork"));
  }
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) {
      ::_exit(127);
    }
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    int null = ::open("/dev/null", O_RDWR);
    ::dup2(null, 0);
    ::dup2(null, 1);
    ::dup2(output_write.get(), 2);
    ::close_range(3, ~0U, 0);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  output_write.reset();
  std::string text;
  char chunk[4096];
  for (;;) {
    ssize_t n = ::read(output.get(), chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      break;
    }
    if (text.size() < 64 * 1024) {
      text.append(chunk, static_cast<size_t>(n));
    }
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
    return {};
  }
  std::string message = failure_message(text, status);
  if (message.find("No space left on device") != std::string::npos ||
      message.find("Disk quota exceeded") != std::string::npos) {
    return ServiceError{ErrorKind::kNoSpace, "template '" + spec.name + "': " + message};
  }
  if (disk_full_at(dir)) {
    return ServiceError{
        ErrorKind::kNoSpace,
        "template '" + spec.name + "': the disk of the state directory is full (" + message + ")"};
  }
  return invalid("template '" + spec.name + "': " + message);
}

}  // namespace mimeo::service

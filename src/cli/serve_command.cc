#include "cli/serve_command.h"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <mutex>

#include "cli/daemon_address.h"
#include "cli/run_options.h"
#include "cli/stop_signals.h"
#include "cli/template_dir.h"
#include "daemon/api_server.h"
#include "service/supervisor.h"

namespace mimeo::cli {

namespace {

std::mutex log_mutex;

void log_line(const std::string& line) {
  const auto now = std::chrono::system_clock::now();
  std::lock_guard lock(log_mutex);
  std::fprintf(
      stderr, "%s mimeo serve: %s\n",
      fmt::format("{:%Y-%m-%dT%H:%M:%S}", fmt::gmtime(std::chrono::system_clock::to_time_t(now)))
          .c_str(),
      line.c_str());
}

int fail(const std::string& message) {
  std::fprintf(stderr, "mimeo serve: %s\n", message.c_str());
  return 1;
}

// Every clone holds two descriptors in the daemon (pidfd, control socket):
// a thousand clones need more than the usual soft limit of 1024.
void raise_fd_limit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &limit);
  }
}

// What the daemon needs to know of a template directory, from template.json.
Result<service::TemplateFacts> inspect_template(const std::string& dir) {
  MIMEO_ASSIGN_OR_RETURN(auto info, read_template_info(dir));
  service::TemplateFacts facts;
  for (const auto& ram : info.memory) {
    facts.memory_bytes += ram.size;
  }
  facts.cpus = 1;
  if (auto options = parse_run_options(info.run_options); options.ok() && options->smp) {
    const std::string& smp = *options->smp;
    auto cpus_key = smp.find("cpus=");
    const std::string count =
        cpus_key == std::string::npos
            ? smp.substr(0, smp.find(','))
            : smp.substr(cpus_key + 5, smp.find(',', cpus_key) - cpus_key - 5);
    unsigned parsed = 0;
    if (std::sscanf(count.c_str(), "%u", &parsed) == 1 && parsed > 0) {
      facts.cpus = parsed;
    }
  }
  return facts;
}

Result<std::string> own_binary() {
  std::error_code error;
  auto path = std::filesystem::read_symlink("/proc/self/exe", error);
  if (error) {
    return errno_error("readlink /proc/self/exe", error.value());
  }
  return path.string();
}

}  // namespace

int serve_command(const ServeOptions& options) {
  StopSignals signals;  // before any thread starts
  ::signal(SIGPIPE, SIG_IGN);
  raise_fd_limit();
  const std::string socket = daemon_socket_path(options.socket);
  // The default socket's directory, owner-only like the socket.
  const std::string socket_dir = std::filesystem::path(socket).parent_path().string();
  if (socket == kDefaultSocket && ::mkdir(socket_dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return fail(errno_error("mkdir " + socket_dir).describe());
  }
  if (options.state_dir.empty()) {
    return fail("--state-dir must not be empty");
  }
  std::error_code error;
  const std::string state_dir = std::filesystem::absolute(options.state_dir, error).string();
  auto binary = own_binary();
  if (!binary.ok()) {
    return fail(binary.error().describe());
  }
  service::SupervisorOptions supervisor_options;
  supervisor_options.state_dir = state_dir;
  supervisor_options.mimeo_binary = *binary;
  supervisor_options.default_pool_size = options.pool_size;
  supervisor_options.refill_delay = std::chrono::milliseconds(options.refill_delay_ms);
  supervisor_options.inspect_template = inspect_template;
  supervisor_options.log = log_line;
  auto supervisor = service::Supervisor::open(supervisor_options);
  if (!supervisor.ok()) {
    return fail(supervisor.error().describe());
  }
  auto server = daemon::ApiServer::create(socket, **supervisor);
  if (!server.ok()) {
    return fail(server.error().describe());
  }
  log_line(fmt::format("listening on {} (state in {}, pool size {})", socket, state_dir,
                       options.pool_size));
  daemon::ApiServer& api = **server;
  auto watch = signals.watch([&api](const char* name) {
    log_line(std::string("stopping on ") + name);
    api.stop();
  });
  auto served = api.serve();
  server->reset();
  supervisor->reset();
  if (!served.ok()) {
    return fail(served.error().describe());
  }
  log_line("stopped");
  return 0;
}

}  // namespace mimeo::cli

#include "service/supervisor.h"

#include <sys/stat.h>

#include <filesystem>

#include "base/cpu_priority.h"
#include "base/version.h"
#include "service/process_rollup.h"

namespace mimeo::service {

Result<std::unique_ptr<Supervisor>> Supervisor::open(SupervisorOptions options) {
  // Owner-only: the clones' console and control sockets live below it.
  for (const std::string& dir :
       {options.state_dir, options.state_dir + "/templates", options.state_dir + "/clones"}) {
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
      return errno_error("mkdir " + dir);
    }
    struct stat st {};
    if (::stat(dir.c_str(), &st) != 0) {
      return errno_error("stat " + dir);
    }
    if (!S_ISDIR(st.st_mode)) {
      return make_error(dir + " is not a directory");
    }
  }
  // sun_path holds 108 bytes: STATE/clones/<12 hex>/console.sock must fit.
  const size_t longest = worker_paths(options.state_dir, std::string(12, '0')).console.size();
  if (longest >= 108) {
    return make_error("the state directory's path " + options.state_dir +
                      " is too long for Unix socket paths below it (at most " +
                      std::to_string(options.state_dir.size() - (longest - 107)) + " characters)");
  }
  MIMEO_ASSIGN_OR_RETURN(auto catalog, Catalog::open(options.state_dir + "/catalog.db"));
  std::unique_ptr<Supervisor> supervisor(new Supervisor(std::move(options), std::move(catalog)));
  MIMEO_ASSIGN_OR_RETURN(supervisor->reaper_,
                         WorkerReaper::start([s = supervisor.get()](const std::string& id) {
                           s->on_worker_exit(id);
                         }));
  MIMEO_TRY(supervisor->recover());
  if (const IdleExit idle = can_leave_idle_priority(); idle.allowed) {
    supervisor->warm_priority_ = WorkerPriority::kIdleUntilStart;
  } else {
    supervisor->log(
        "warm clones restore at normal CPU priority (idle priority needs CAP_SYS_NICE or "
        "RLIMIT_NICE, to leave it when they are handed out): " +
        idle.why);
  }
  supervisor->filler_ = std::thread([s = supervisor.get()] { s->fill_pools(); });
  return supervisor;
}

Supervisor::Supervisor(SupervisorOptions options, Catalog catalog)
    : options_(std::move(options)), catalog_(std::move(catalog)) {}

Supervisor::~Supervisor() {
  std::vector<WorkerPtr> warm;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    for (auto& [name, pool] : pools_) {
      for (auto& worker : pool.warm) {
        warm.push_back(worker);
        workers_.erase(worker->id);
        reaper_->unwatch(worker->process.pidfd());
      }
      pool.warm.clear();
    }
  }
  pools_changed_.notify_all();
  if (filler_.joinable()) {
    filler_.join();
  }
  for (auto& worker : warm) {
    stop_worker(worker);
    std::lock_guard lock(mutex_);
    (void)catalog().remove_clone(worker->id);
  }
  reaper_.reset();
  // Handed-out clones keep running: their WorkerProcess is let go unreaped
  // and unkilled, and the next daemon reattaches them.
  std::lock_guard lock(mutex_);
  record_hand_outs();
  for (auto& [id, worker] : workers_) {
    worker->process.release();
  }
  if (!warm.empty()) {
    log("stopped " + std::to_string(warm.size()) + " warm clone(s)");
  }
}

void Supervisor::log(const std::string& line) const {
  if (options_.log) {
    options_.log(line);
  }
}

Supervisor::WorkerPtr Supervisor::live_worker(const std::string& id) const {
  auto it = workers_.find(id);
  return it == workers_.end() ? nullptr : it->second;
}

TemplateInfo Supervisor::template_info(const TemplateRecord& record) const {
  TemplateInfo info;
  info.name = record.name;
  info.dir = record.dir;
  info.owned = record.owned;
  info.memory_bytes = record.memory_bytes;
  info.cpus = record.cpus;
  info.created_unix = record.created_unix;
  info.pool_size = record.pool_size;
  if (auto pool = pools_.find(record.name); pool != pools_.end()) {
    info.pool_warm = static_cast<unsigned>(pool->second.warm.size());
  }
  return info;
}

Catalog& Supervisor::catalog() {
  if (!unrecorded_hand_outs_.empty()) {
    record_hand_outs();
  }
  return catalog_;
}

void Supervisor::record_hand_outs() {
  for (const auto& [id, hand_out] : unrecorded_hand_outs_) {
    // A full disk or a damaged catalog fails this; so does a worker that
    // ended before its start (its row is gone: on_worker_exit()). A clone
    // that runs unrecorded is found by the next daemon (recover_clone()).
    if (auto recorded = catalog_.hand_out_clone(id, hand_out); !recorded.ok()) {
      metrics_.count_error("catalog");
      log("catalog: the hand-out of clone " + id +
          " was not recorded: " + recorded.error().describe());
    }
  }
  unrecorded_hand_outs_.clear();
}

CloneInfo Supervisor::clone_info(const CloneRecord& record) const {
  CloneInfo info;
  info.id = record.id;
  info.name = record.name;
  info.template_name = record.template_name;
  info.state = public_clone_state(record.state).value_or(CloneState::kLost);
  info.pid = record.pid;
  info.uuid = record.uuid;
  info.console_socket = worker_paths(options_.state_dir, record.id).console;
  info.created_unix = record.created_unix;
  info.create_ms = record.create_ms;
  info.from_pool = record.from_pool;
  info.reason = record.reason;
  return info;
}

Health Supervisor::health() {
  std::lock_guard lock(mutex_);
  Health health;
  health.version = kVersion;
  health.uptime_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  if (auto templates = catalog().templates(); templates.ok()) {
    health.templates = static_cast<unsigned>(templates->size());
  }
  for (const auto& [name, pool] : pools_) {
    health.warm += static_cast<unsigned>(pool.warm.size());
  }
  health.clones = static_cast<unsigned>(workers_.size()) - health.warm;
  return health;
}

MetricsSnapshot Supervisor::metrics() {
  MetricsSnapshot snapshot = metrics_.snapshot();
  std::vector<pid_t> pids;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [name, pool] : pools_) {
      snapshot.clones_warm += pool.warm.size();
    }
    snapshot.clones_alive = workers_.size() - snapshot.clones_warm;
    for (const auto& [id, worker] : workers_) {
      pids.push_back(worker->process.pid());
    }
  }
  for (pid_t pid : pids) {
    if (auto rollup = read_memory_rollup(pid); rollup.ok()) {
      snapshot.memory_private_bytes += rollup->private_bytes;
      snapshot.memory_shared_bytes += rollup->shared_bytes;
    }
  }
  return snapshot;
}

}  // namespace mimeo::service

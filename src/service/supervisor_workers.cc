// The supervisor's worker processes: starting one for a pool, handing it out,
// stopping it, and learning that it ended.
#include <poll.h>

#include <filesystem>

#include "service/names.h"
#include "service/supervisor.h"
#include "service/unix_time.h"
#include "service/worker_paths.h"

namespace mimeo::service {

namespace {

using Clock = std::chrono::steady_clock;

bool wait_ended(const WorkerProcess& process, std::chrono::milliseconds timeout) {
  pollfd p{process.pidfd(), POLLIN, 0};
  return ::poll(&p, 1, static_cast<int>(timeout.count())) > 0;
}

// A worker's end as the user sees it: a guest that stopped by itself has
// exited; a process killed by a signal, or a VM KVM could not run, crashed.
std::pair<CloneState, std::string> describe_exit(const WorkerExit& exit) {
  std::string reason = exit.last_words;
  if (exit.known && exit.signaled) {
    reason = "the clone's process was killed by signal " + std::to_string(exit.code) +
             (reason.empty() ? "" : " (last words: " + reason + ")");
    return {CloneState::kCrashed, reason};
  }
  if (reason.empty()) {
    reason = exit.known ? "the clone's process exited with status " + std::to_string(exit.code)
                        : "the clone's process ended";
  }
  const bool failed = reason.find("internal error") != std::string::npos ||
                      reason.find("triple fault") != std::string::npos ||
                      reason.find("triple-fault") != std::string::npos;
  return {failed ? CloneState::kCrashed : CloneState::kExited, reason};
}

}  // namespace

Result<Supervisor::Starting> Supervisor::spawn_worker(const std::string& template_name,
                                                      const std::string& dir,
                                                      WorkerPriority priority) {
  const std::string id = new_clone_id();
  const WorkerPaths paths = worker_paths(options_.state_dir, id);
  std::error_code error;
  std::filesystem::create_directory(paths.dir, error);
  if (error) {
    return errno_error("mkdir " + paths.dir, error.value());
  }
  CloneRecord record;
  record.id = id;
  record.template_name = template_name;
  record.state = CloneRecordState::kWarm;
  record.dir = paths.dir;
  record.created_unix = unix_now();
  {
    // Recorded before the process exists, so that a daemon killed from here
    // on leaves a row that the next one uses to find and stop the orphan.
    std::lock_guard lock(mutex_);
    if (auto added = catalog().add_clone(record); !added.ok()) {
      remove_state_dir(paths.dir);
      return added.error();
    }
  }
  auto process = WorkerProcess::spawn(options_.mimeo_binary, dir, id, paths, priority);
  if (!process.ok()) {
    forget_start(id, paths, false);
    return process.error();
  }
  {
    std::lock_guard lock(mutex_);
    (void)catalog().set_clone_pid(id, process->pid());
  }
  return Starting{id, template_name, std::move(*process)};
}

Result<Supervisor::WorkerPtr> Supervisor::finish_start(Starting starting) {
  if (auto ready = starting.process.wait_ready(options_.worker_ready_timeout); !ready.ok()) {
    starting.process.kill();
    (void)starting.process.reap();
    forget_start(starting.id, starting.process.paths(), true);
    return ready.error();
  }
  const std::string id = starting.id;
  auto worker =
      std::make_shared<Worker>(id, std::move(starting.template_name), std::move(starting.process));
  std::lock_guard lock(mutex_);
  workers_[id] = worker;
  if (auto watched = reaper_->watch(id, worker->process.pidfd()); !watched.ok()) {
    workers_.erase(id);
    return watched.error();
  }
  return worker;
}

Result<Supervisor::WorkerPtr> Supervisor::start_worker(const std::string& template_name,
                                                       const std::string& dir,
                                                       WorkerPriority priority) {
  MIMEO_ASSIGN_OR_RETURN(auto starting, spawn_worker(template_name, dir, priority));
  return finish_start(std::move(starting));
}

void Supervisor::forget_start(const std::string& id, const WorkerPaths& paths, bool keep_log) {
  constexpr size_t kKeptFailedStarts = 16;
  std::string dropped;
  {
    std::lock_guard lock(mutex_);
    (void)catalog().remove_clone(id);
    if (keep_log) {
      failed_start_dirs_.push_back(paths.dir);
      if (failed_start_dirs_.size() > kKeptFailedStarts) {
        dropped = failed_start_dirs_.front();
        failed_start_dirs_.pop_front();
      }
    }
  }
  if (keep_log) {
    // Only the log stays (until a later failure pushes it out, or the next
    // daemon's start-up removes what the catalog does not know).
    std::error_code ignored;
    std::filesystem::remove(paths.control, ignored);
    std::filesystem::remove(paths.console, ignored);
  } else {
    remove_state_dir(paths.dir);
  }
  if (!dropped.empty()) {
    remove_state_dir(dropped);
  }
}

void Supervisor::stop_worker(const WorkerPtr& worker) {
  {
    std::lock_guard commands(worker->commands);
    (void)worker->process.command("stop", options_.command_timeout);
  }
  if (!wait_ended(worker->process, std::chrono::milliseconds(2000))) {
    worker->process.kill();
    (void)wait_ended(worker->process, std::chrono::milliseconds(2000));
  }
  (void)worker->process.reap();
  remove_state_dir(worker->process.paths().dir);
}

void Supervisor::on_worker_exit(const std::string& id) {
  std::unique_lock lock(mutex_);
  auto it = workers_.find(id);
  if (it == workers_.end()) {
    return;  // being stopped by a request
  }
  WorkerPtr worker = it->second;
  workers_.erase(it);
  if (auto pool = pools_.find(worker->template_name); pool != pools_.end()) {
    std::erase(pool->second.warm, worker);
  }
  const WorkerExit exit = worker->process.reap();
  auto record = catalog().find_clone(id);
  if (!record.ok() || !record->has_value()) {
    return;
  }
  if ((*record)->state == CloneRecordState::kWarm) {
    (void)catalog().remove_clone(id);
    lock.unlock();
    metrics_.count_error("warm_worker_died");
    log("a warm clone of template '" + worker->template_name + "' ended: " + exit.last_words);
    remove_state_dir(worker->process.paths().dir);
    pools_changed_.notify_all();
    return;
  }
  auto [state, reason] = describe_exit(exit);
  (void)catalog().set_clone_state(id, record_clone_state(state), reason);
  lock.unlock();
  if (state == CloneState::kCrashed) {
    metrics_.count_error("clone_crashed");
  }
  log("clone " + id + " " + clone_state_name(state) + ": " + reason);
}

Supervisor::WorkerPtr Supervisor::take_warm(const std::string& template_name) {
  auto pool = pools_.find(template_name);
  if (pool == pools_.end() || pool->second.warm.empty()) {
    return nullptr;
  }
  WorkerPtr worker = pool->second.warm.front();
  pool->second.warm.pop_front();
  pool->second.last_take = Clock::now();  // the caller notifies the filler
  return worker;
}

// The pool filler's thread: keeps every pool at its target, one worker at a
// time (starting one is mostly CPU: a restore), oldest shortfall first.
void Supervisor::fill_pools() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    std::string name;
    std::string dir;
    const auto now = Clock::now();
    auto next_retry = Clock::time_point::max();
    for (auto& [pool_name, pool] : pools_) {
      if (pool.warm.size() + pool.starting >= pool.target) {
        continue;
      }
      if (pool.retry_after > now) {
        next_retry = std::min(next_retry, pool.retry_after);
        continue;
      }
      if (const auto due = pool.last_take + options_.refill_delay;
          !pool.warm.empty() && due > now) {
        next_retry = std::min(next_retry, due);
        continue;
      }
      name = pool_name;
      dir = pool.dir;
      break;
    }
    // Woken by a hand-out, most likely: its record is due (see
    // unrecorded_hand_outs_), before the pool's refill waits out its delay.
    record_hand_outs();
    if (name.empty()) {
      if (next_retry == Clock::time_point::max()) {
        pools_changed_.wait(lock);
      } else {
        pools_changed_.wait_until(lock, next_retry);
      }
      continue;
    }
    ++pools_[name].starting;
    lock.unlock();
    // At idle priority when it can be (warm_priority_): a refill's restore
    // then never takes CPU from a clone just handed out or from a request.
    auto worker = start_worker(name, dir, warm_priority_);
    lock.lock();
    auto pool = pools_.find(name);
    if (pool != pools_.end()) {
      --pool->second.starting;
      pools_changed_.notify_all();  // delete_template waits for this
    }
    if (!worker.ok()) {
      if (pool != pools_.end()) {
        pool->second.retry_after = Clock::now() + std::chrono::seconds(1);
      }
      lock.unlock();
      metrics_.count_error("warm_start");
      log("cannot start a warm clone of template '" + name + "': " + worker.error().describe());
      lock.lock();
      continue;
    }
    if (pool != pools_.end() && !stopping_ && pool->second.warm.size() < pool->second.target) {
      pool->second.warm.push_back(*worker);
      continue;
    }
    // The pool shrank or went away meanwhile.
    workers_.erase((*worker)->id);
    reaper_->unwatch((*worker)->process.pidfd());
    (void)catalog().remove_clone((*worker)->id);
    lock.unlock();
    stop_worker(*worker);
    lock.lock();
  }
}

}  // namespace mimeo::service

// The supervisor's clone requests: create (from the warm pool when it can),
// list, get, pause, resume, delete.
#include <algorithm>
#include <deque>
#include <thread>

#include "service/names.h"
#include "service/random_uuid.h"
#include "service/supervisor.h"
#include "service/unix_time.h"
#include "service/worker_paths.h"

namespace mimeo::service {

namespace {

using Clock = std::chrono::steady_clock;

constexpr unsigned kMaxClonesPerRequest = 1000;

// How many workers one request lets restore at once: a restore is mostly CPU,
// so more than a few per CPU only adds processes and memory.
size_t max_restoring() {
  const unsigned cpus = std::max(1U, std::thread::hardware_concurrency());
  return std::min<size_t>(16, 2 * size_t{cpus});
}

ServiceError from_catalog(const Error& error) { return catalog_service_error(error); }

}  // namespace

ServiceResult<CloneInfo> Supervisor::hand_out(const WorkerPtr& worker, const CloneRequest& request,
                                              Clock::time_point arrived, bool from_pool) {
  auto uuid = random_uuid();
  if (!uuid.ok()) {
    return internal(uuid.error());
  }
  {
    // Not waiting for the worker's "ok running" saves a round trip on the
    // request's path: the answer goes out while the vCPUs start. A start that
    // fails shows at the worker's next command, or as its end (the reaper).
    std::lock_guard commands(worker->commands);
    if (auto started = worker->process.send("start uuid=" + *uuid, options_.command_timeout);
        !started.ok()) {
      return ServiceError{ErrorKind::kInternal,
                          "clone " + worker->id + " did not start: " + started.error().describe()};
    }
  }
  const double create_ms =
      std::chrono::duration<double, std::milli>(Clock::now() - arrived).count();
  CloneRecord record;
  record.id = worker->id;
  record.name = request.name;
  record.template_name = worker->template_name;
  record.state = CloneRecordState::kRunning;
  record.pid = worker->process.pid();
  record.uuid = *uuid;
  record.created_unix = unix_now();
  record.create_ms = create_ms;
  record.from_pool = from_pool;
  HandOut hand{request.name, *uuid, create_ms, from_pool, record.created_unix};
  std::lock_guard lock(mutex_);
  if (request.name) {
    // A name must be in the catalog before the answer: it is checked there
    // for uniqueness, and recovery could not learn it from the worker.
    if (auto handed = catalog().hand_out_clone(worker->id, hand); !handed.ok()) {
      return handed.error().err == EEXIST ? conflict("a clone named '" + *request.name + "' exists")
                                          : from_catalog(handed.error());
    }
  } else {
    unrecorded_hand_outs_.emplace_back(worker->id, std::move(hand));
  }
  metrics_.observe_clone_created(create_ms / 1000.0, from_pool);
  return clone_info(record);
}

ServiceResult<std::vector<CloneOutcome>> Supervisor::create_clones(const CloneRequest& request) {
  const auto arrived = Clock::now();
  if (request.count < 1 || request.count > kMaxClonesPerRequest) {
    return invalid("\"count\" must be between 1 and " + std::to_string(kMaxClonesPerRequest));
  }
  if (request.name) {
    if (request.count != 1) {
      return invalid("\"name\" names one clone: it needs \"count\" 1");
    }
    if (!is_valid_name(*request.name)) {
      return invalid(invalid_name_message("clone", *request.name));
    }
    if (looks_like_clone_id(*request.name)) {
      return invalid("clone name \"" + *request.name +
                     "\" looks like a clone id (12 hex digits); choose another");
    }
  }
  std::vector<WorkerPtr> workers;
  std::string dir;
  {
    std::lock_guard lock(mutex_);
    if (stopping_) {
      return ServiceError{ErrorKind::kUnavailable, "the daemon is stopping"};
    }
    // Every ready template has a pool (made when it became ready, erased when
    // it is deleted): no catalog query on the request's path (~40 us here).
    auto pool = pools_.find(request.template_name);
    if (pool == pools_.end()) {
      return not_found("no template named '" + request.template_name + "'");
    }
    dir = pool->second.dir;
    if (request.name) {
      auto taken = catalog().find_clone(*request.name);
      if (taken.ok() && taken->has_value()) {
        return conflict("a clone named '" + *request.name + "' exists");
      }
    }
    for (unsigned i = 0; i < request.count; ++i) {
      WorkerPtr worker = take_warm(request.template_name);
      if (!worker) {
        break;
      }
      workers.push_back(std::move(worker));
    }
  }
  const size_t warm = workers.size();
  std::vector<CloneOutcome> outcomes(request.count);
  workers.resize(request.count);
  // The pool ran short: start the rest now (the slow path, counted as
  // misses), at normal priority. Their restores overlap: up to
  // max_restoring() are spawned before the first is waited for, and each
  // one that is ready makes room for the next.
  const auto failed = [&](size_t i, const Error& error) {
    metrics_.count_error("clone_start");
    outcomes[i].error = internal(error);
  };
  std::deque<std::pair<size_t, Starting>> restoring;  // by index in `workers`
  size_t next = warm;
  while (next < request.count || !restoring.empty()) {
    while (next < request.count && restoring.size() < max_restoring()) {
      auto spawned = spawn_worker(request.template_name, dir, WorkerPriority::kNormal);
      if (spawned.ok()) {
        restoring.emplace_back(next, std::move(*spawned));
      } else {
        failed(next, spawned.error());
      }
      ++next;
    }
    if (restoring.empty()) {
      continue;
    }
    auto [index, starting] = std::move(restoring.front());
    restoring.pop_front();
    auto worker = finish_start(std::move(starting));
    if (worker.ok()) {
      workers[index] = std::move(*worker);
    } else {
      failed(index, worker.error());
    }
  }
  for (size_t i = 0; i < workers.size(); ++i) {
    if (!workers[i]) {
      continue;
    }
    auto clone = hand_out(workers[i], request, arrived, i < warm);
    if (clone.ok()) {
      outcomes[i].clone = std::move(*clone);
      continue;
    }
    metrics_.count_error("clone_start");
    outcomes[i].error = clone.error();
    {
      std::lock_guard lock(mutex_);
      workers_.erase(workers[i]->id);
      reaper_->unwatch(workers[i]->process.pidfd());
      (void)catalog().remove_clone(workers[i]->id);
    }
    stop_worker(workers[i]);
  }
  // The filler learns of the taken clones only now that they are handed out,
  // so that its wake-up does not contend for mutex_ with this request. It
  // also records the hand-outs in the catalog (unrecorded_hand_outs_).
  pools_changed_.notify_all();
  return outcomes;
}

std::vector<CloneInfo> Supervisor::list_clones() {
  std::lock_guard lock(mutex_);
  std::vector<CloneInfo> clones;
  auto records = catalog().clones();
  if (!records.ok()) {
    log("catalog: " + records.error().describe());
    return clones;
  }
  for (const auto& record : *records) {
    if (record.state != CloneRecordState::kWarm) {
      clones.push_back(clone_info(record));
    }
  }
  return clones;
}

ServiceResult<CloneRecord> Supervisor::find_clone_locked(const std::string& ref) {
  auto record = catalog().find_clone(ref);
  if (!record.ok()) {
    return from_catalog(record.error());
  }
  if (!record->has_value() || (*record)->state == CloneRecordState::kWarm) {
    return not_found("no clone with id or name '" + ref + "'");
  }
  return std::move(**record);
}

ServiceResult<CloneInfo> Supervisor::get_clone(const std::string& ref) {
  std::lock_guard lock(mutex_);
  auto record = find_clone_locked(ref);
  if (!record.ok()) {
    return record.error();
  }
  return clone_info(*record);
}

ServiceResult<CloneInfo> Supervisor::control_clone(const std::string& ref, const char* command,
                                                   CloneState new_state) {
  WorkerPtr worker;
  {
    std::lock_guard lock(mutex_);
    auto record = find_clone_locked(ref);
    if (!record.ok()) {
      return record.error();
    }
    worker = live_worker(record->id);
    if (!worker) {
      return conflict("clone " + record->id + " is " + clone_record_state_name(record->state) +
                      ", not running");
    }
  }
  {
    std::lock_guard commands(worker->commands);
    if (auto done = worker->process.command(command, options_.command_timeout); !done.ok()) {
      return conflict("clone " + worker->id + ": " + done.error().describe());
    }
  }
  std::lock_guard lock(mutex_);
  if (auto set = catalog().set_clone_state(worker->id, record_clone_state(new_state), std::nullopt);
      !set.ok()) {
    return from_catalog(set.error());
  }
  auto record = find_clone_locked(worker->id);
  if (!record.ok()) {
    return record.error();
  }
  return clone_info(*record);
}

ServiceResult<CloneInfo> Supervisor::pause_clone(const std::string& ref) {
  return control_clone(ref, "pause", CloneState::kPaused);
}

ServiceResult<CloneInfo> Supervisor::resume_clone(const std::string& ref) {
  return control_clone(ref, "resume", CloneState::kRunning);
}

ServiceStatus Supervisor::delete_clone(const std::string& ref) {
  WorkerPtr worker;
  std::string id;
  std::string dir;
  {
    std::lock_guard lock(mutex_);
    auto record = find_clone_locked(ref);
    if (!record.ok()) {
      return record.error();
    }
    id = record->id;
    dir = record->dir;
    worker = live_worker(id);
    if (worker) {
      workers_.erase(id);
      reaper_->unwatch(worker->process.pidfd());
    }
  }
  if (worker) {
    stop_worker(worker);
  }
  std::lock_guard lock(mutex_);
  if (auto removed = catalog().remove_clone(id); !removed.ok()) {
    return from_catalog(removed.error());
  }
  remove_state_dir(dir);
  return {};
}

}  // namespace mimeo::service

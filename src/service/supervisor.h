// The daemon's core (`mimeo serve`): templates and clones in the catalog,
// a warm pool of pre-started clone workers per template, refilled in the
// background, and one process per clone (docs/design.md, "Isolation"), so a
// clone that fails takes down neither the daemon nor other clones.
//
// Threads: callers (the REST server's), the pool filler, and the reaper that
// learns of every worker's end. `mutex_` guards the catalog and the maps;
// nothing slow (spawning, waiting for a worker, building a template) runs
// under it. Commands to one worker are serialized by that worker's mutex.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "service/catalog.h"
#include "service/metrics_registry.h"
#include "service/request_handler.h"
#include "service/worker_process.h"
#include "service/worker_reaper.h"

namespace mimeo::service {

// What the daemon learns from a template directory's metadata.
struct TemplateFacts {
  uint64_t memory_bytes = 0;
  unsigned cpus = 0;
};

struct SupervisorOptions {
  std::string state_dir;     // catalog.db, templates/, clones/
  std::string mimeo_binary;  // runs `worker` and `template create`
  unsigned default_pool_size = 2;
  // Reads and checks DIR/template.json (the CLI's template format; the core
  // does not parse it itself).
  std::function<Result<TemplateFacts>(const std::string& dir)> inspect_template;
  // One line for the daemon's log.
  std::function<void(const std::string&)> log;
  std::chrono::milliseconds worker_ready_timeout{30000};
  std::chrono::milliseconds command_timeout{5000};
  // A pool that still has a warm clone starts its refill this long after a
  // clone was last taken from it (an empty pool refills at once). A restore is
  // mostly kernel time, and a kernel without preemption (this host's) lets a
  // woken thread wait behind it even at idle priority: held back, it stays
  // off the CPUs while the clone just handed out answers its first request.
  std::chrono::milliseconds refill_delay{20};
};

class Supervisor final : public RequestHandler {
 public:
  // Opens (or creates) the state directory and catalog, cleans up what a
  // killed daemon left half-done, reattaches clones that still run, reports
  // (logs and marks `lost`) those that do not, and starts filling pools.
  static Result<std::unique_ptr<Supervisor>> open(SupervisorOptions options);
  // Stops the pools' warm workers; clones handed out keep running and are
  // reattached by the next daemon.
  ~Supervisor() override;

  ServiceResult<TemplateInfo> create_template(const TemplateSpec& spec) override;
  ServiceResult<TemplateInfo> import_template(const TemplateImport& request) override;
  std::vector<TemplateInfo> list_templates() override;
  ServiceResult<TemplateInfo> get_template(const std::string& name) override;
  ServiceResult<TemplateInfo> set_pool_size(const std::string& name, unsigned size) override;
  ServiceStatus delete_template(const std::string& name) override;

  ServiceResult<std::vector<CloneOutcome>> create_clones(const CloneRequest& request) override;
  std::vector<CloneInfo> list_clones() override;
  ServiceResult<CloneInfo> get_clone(const std::string& ref) override;
  ServiceResult<CloneInfo> pause_clone(const std::string& ref) override;
  ServiceResult<CloneInfo> resume_clone(const std::string& ref) override;
  ServiceStatus delete_clone(const std::string& ref) override;

  Health health() override;
  MetricsSnapshot metrics() override;

 private:
  struct Worker {
    Worker(std::string worker_id, std::string template_of, WorkerProcess worker_process)
        : id(std::move(worker_id)),
          template_name(std::move(template_of)),
          process(std::move(worker_process)) {}
    std::string id;
    std::string template_name;
    WorkerProcess process;
    std::mutex commands;  // one control command at a time
  };
  using WorkerPtr = std::shared_ptr<Worker>;
  // A worker spawned and restoring: in the catalog (warm, with its pid), not
  // yet watched by the reaper. finish_start() makes it a Worker or forgets it.
  struct Starting {
    std::string id;
    std::string template_name;
    WorkerProcess process;
  };
  struct Pool {
    std::string dir;
    unsigned target = 0;
    unsigned starting = 0;
    std::deque<WorkerPtr> warm;
    std::chrono::steady_clock::time_point retry_after{};  // after a failed start
    std::chrono::steady_clock::time_point last_take{};    // see refill_delay
  };

  Supervisor(SupervisorOptions options, Catalog catalog);
  void log(const std::string& line) const;

  // Start-up (supervisor_recovery.cc).
  Status recover();
  void recover_clone(const CloneRecord& record);
  void adopt_handed_out(const CloneRecord& record, WorkerProcess process, const std::string& uuid,
                        bool paused);
  void reattach(const CloneRecord& record, WorkerProcess process, const std::string& note);

  // Workers (supervisor_workers.cc). start_worker() is spawn_worker() then
  // finish_start(); a batch spawns several before it waits for any.
  Result<WorkerPtr> start_worker(const std::string& template_name, const std::string& dir,
                                 WorkerPriority priority);
  Result<Starting> spawn_worker(const std::string& template_name, const std::string& dir,
                                WorkerPriority priority);
  Result<WorkerPtr> finish_start(Starting starting);
  // Removes a worker that never became ready from the catalog; keeps its
  // directory (the log the error points at) for the last few such workers.
  void forget_start(const std::string& id, const WorkerPaths& paths, bool keep_log);
  void stop_worker(const WorkerPtr& worker);
  void on_worker_exit(const std::string& id);
  void fill_pools();
  // With mutex_ held; the caller notifies pools_changed_ afterwards.
  WorkerPtr take_warm(const std::string& template_name);
  ServiceResult<CloneInfo> hand_out(const WorkerPtr& worker, const CloneRequest& request,
                                    std::chrono::steady_clock::time_point arrived, bool from_pool);

  // Under mutex_.
  // The catalog, after the hand-outs not yet recorded in it are: every use of
  // the catalog goes through here, so none sees a handed-out clone as warm.
  Catalog& catalog();
  void record_hand_outs();
  TemplateInfo template_info(const TemplateRecord& record) const;
  CloneInfo clone_info(const CloneRecord& record) const;
  ServiceResult<CloneRecord> find_clone_locked(const std::string& ref);
  WorkerPtr live_worker(const std::string& id) const;
  ServiceResult<CloneInfo> control_clone(const std::string& ref, const char* command,
                                         CloneState new_state);

  const SupervisorOptions options_;
  const std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  MetricsRegistry metrics_;

  mutable std::mutex mutex_;
  std::condition_variable pools_changed_;
  Catalog catalog_;  // through catalog()
  // Clones handed out without a name, not yet in the catalog: the request's
  // answer does not wait for SQLite (about 0.1 ms here); the filler records
  // them when the hand-out wakes it, or catalog() before any other use. If
  // the daemon dies first, recovery asks the worker (recover_clone()).
  std::vector<std::pair<std::string, HandOut>> unrecorded_hand_outs_;
  std::map<std::string, Pool> pools_;         // by template name
  std::map<std::string, WorkerPtr> workers_;  // every live worker (warm and handed out), by id
  // Of workers that never became ready: kept for their worker.log, oldest first.
  std::deque<std::string> failed_start_dirs_;
  bool stopping_ = false;
  // What the pool filler spawns at: idle priority when the daemon can let
  // its workers leave it again (base/cpu_priority.h), else normal.
  WorkerPriority warm_priority_ = WorkerPriority::kNormal;

  std::unique_ptr<WorkerReaper> reaper_;
  std::thread filler_;
};

}  // namespace mimeo::service

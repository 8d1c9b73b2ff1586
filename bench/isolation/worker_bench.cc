#include "worker_bench.h"

#include <fmt/format.h>
#include <poll.h>

#include <filesystem>
#include <optional>
#include <vector>

#include "console_client.h"
#include "proc_stats.h"
#include "progress.h"
#include "service/worker_paths.h"
#include "service/worker_process.h"

namespace mimeo::bench {

namespace {

using std::chrono::duration;

double ms_since(Clock::time_point t0) {
  return duration<double, std::milli>(Clock::now() - t0).count();
}

struct RunningWorker {
  service::WorkerProcess process;  // spawned exactly as the daemon does
  ConsoleClient console;
};

// Spawned and warm ("ready"), with the user's end of its console connected.
Result<RunningWorker> spawn_warm(const BenchSetup& setup, const std::string& state_dir,
                                 const std::string& id) {
  // The daemon's layout: STATE/clones/ID/{control.sock,console.sock,worker.log}.
  const service::WorkerPaths paths = service::worker_paths(state_dir, id);
  std::error_code error;
  std::filesystem::create_directories(paths.dir, error);
  if (error) {
    return make_error("create " + paths.dir + ": " + error.message());
  }
  MIMEO_ASSIGN_OR_RETURN(auto process, service::WorkerProcess::spawn(
                                           setup.mimeo_binary, setup.template_dir, id, paths));
  MIMEO_TRY(process.wait_ready(setup.timeout));
  MIMEO_ASSIGN_OR_RETURN(auto console, ConsoleClient::connect(paths.console));
  return RunningWorker{std::move(process), std::move(console)};
}

// SIGKILL through the pidfd, then the end as the daemon would report it.
Result<std::string> kill_and_reap(service::WorkerProcess& process,
                                  std::chrono::milliseconds timeout) {
  process.kill();
  pollfd p{process.pidfd(), POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) {
    return make_error("worker " + std::to_string(process.pid()) + " did not end after SIGKILL");
  }
  const service::WorkerExit exit = process.reap();
  return exit.signaled ? "the worker was killed by signal " + std::to_string(exit.code)
                       : "the worker exited with status " + std::to_string(exit.code);
}

Status start_and_ping(RunningWorker& worker, std::chrono::milliseconds timeout) {
  MIMEO_ASSIGN_OR_RETURN(auto reply, worker.process.command("start", timeout));
  if (reply != "running") {
    return make_error("worker " + std::to_string(worker.process.pid()) + ": start: " + reply);
  }
  return worker.console.ping(timeout);
}

Status pause(RunningWorker& worker, std::chrono::milliseconds timeout) {
  MIMEO_ASSIGN_OR_RETURN(auto reply, worker.process.command("pause", timeout));
  return reply == "paused"
             ? Status{}
             : make_error("worker " + std::to_string(worker.process.pid()) + ": pause: " + reply);
}

// resume, ping, pause: whether a worker still answers, one running at a time.
bool answers(RunningWorker& worker) {
  constexpr std::chrono::seconds kWait(2);
  auto resumed = worker.process.command("resume", kWait);
  const bool ok = resumed.ok() && worker.console.ping(kWait).ok();
  return ok && pause(worker, kWait).ok();
}

struct MeanCost {
  double private_kib = 0;
  double private_dirty_kib = 0;
  double pss_kib = 0;
  double threads = 0;
  double fds = 0;
};

Result<MeanCost> mean_cost(const std::vector<RunningWorker>& workers) {
  MeanCost mean;
  for (const auto& w : workers) {
    MIMEO_ASSIGN_OR_RETURN(ProcessCost cost, read_process_cost(w.process.pid()));
    mean.private_kib += static_cast<double>(cost.private_kib);
    mean.private_dirty_kib += static_cast<double>(cost.private_dirty_kib);
    mean.pss_kib += static_cast<double>(cost.pss_kib);
    mean.threads += static_cast<double>(cost.threads);
    mean.fds += static_cast<double>(cost.fds);
  }
  const auto n = static_cast<double>(workers.size());
  return MeanCost{mean.private_kib / n, mean.private_dirty_kib / n, mean.pss_kib / n,
                  mean.threads / n, mean.fds / n};
}

}  // namespace

Result<RoundResult> run_worker_round(const BenchSetup& setup, int clones) {
  const std::string state_dir = fmt::format("{}/workers-{}", setup.work_dir, clones);
  MIMEO_ASSIGN_OR_RETURN(ProcessCost supervisor_before, read_process_cost(0));
  RoundResult r;
  r.model = kProcessPerClone;
  r.clones = clones;
  std::vector<RunningWorker> workers;
  Progress warm(fmt::format("process-per-clone N={} warm", clones), clones);
  const auto bring_up = Clock::now();
  for (int i = 0; i < clones; ++i) {
    const auto t0 = Clock::now();
    MIMEO_ASSIGN_OR_RETURN(auto worker, spawn_warm(setup, state_dir, fmt::format("clone-{}", i)));
    r.restore_ms.push_back(ms_since(t0));
    workers.push_back(std::move(worker));
    warm.done(i + 1);
  }
  r.bring_up_s = ms_since(bring_up) / 1000.0;
  MIMEO_ASSIGN_OR_RETURN(MeanCost warm_cost, mean_cost(workers));
  Progress started(fmt::format("process-per-clone N={} start→pong", clones), clones);
  for (int i = 0; i < clones; ++i) {
    const auto t0 = Clock::now();
    MIMEO_TRY(start_and_ping(workers[i], setup.timeout));
    r.start_to_pong_ms.push_back(ms_since(t0));
    // Paused again, as in the in-process round (in_process_bench.cc).
    MIMEO_TRY(pause(workers[i], setup.timeout));
    started.done(i + 1);
  }
  MIMEO_ASSIGN_OR_RETURN(MeanCost running, mean_cost(workers));
  MIMEO_ASSIGN_OR_RETURN(ProcessCost supervisor, read_process_cost(0));
  r.warm_private_kib = warm_cost.private_kib;
  r.running_private_kib = running.private_kib;
  r.running_private_dirty_kib = running.private_dirty_kib;
  r.running_pss_kib = running.pss_kib;
  r.threads = running.threads;
  r.clone_fds = running.fds;
  // Less the user's end of each console, which is the bench's, not the daemon's.
  r.supervisor_fds =
      (static_cast<double>(supervisor.fds) - static_cast<double>(supervisor_before.fds)) / clones -
      1;

  r.fault = "SIGKILL to worker 0";
  MIMEO_ASSIGN_OR_RETURN(r.fault_outcome, kill_and_reap(workers[0].process, setup.timeout));
  r.others = clones - 1;
  for (int i = 1; i < clones; ++i) {
    if (answers(workers[i])) {
      ++r.others_answering;
    }
  }
  workers.clear();  // SIGKILL and reaped (WorkerProcess's destructor)
  std::error_code ignored;
  std::filesystem::remove_all(state_dir, ignored);
  return r;
}

Result<ColdResult> run_worker_cold(const BenchSetup& setup, int count) {
  const std::string state_dir = setup.work_dir + "/workers-cold";
  ColdResult c;
  c.model = kProcessPerClone;
  Progress progress("process-per-clone cold", count);
  for (int i = 0; i < count; ++i) {
    const auto t0 = Clock::now();
    MIMEO_ASSIGN_OR_RETURN(auto worker, spawn_warm(setup, state_dir, fmt::format("cold-{}", i)));
    const auto t1 = Clock::now();
    MIMEO_TRY(start_and_ping(worker, setup.timeout));
    c.restore_ms.push_back(duration<double, std::milli>(t1 - t0).count());
    c.start_to_pong_ms.push_back(ms_since(t1));
    c.total_ms.push_back(ms_since(t0));
    progress.done(i + 1);
  }
  std::error_code ignored;
  std::filesystem::remove_all(state_dir, ignored);
  return c;
}

}  // namespace mimeo::bench

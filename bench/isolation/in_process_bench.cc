#include "in_process_bench.h"

#include <fmt/format.h>

#include <cstdio>
#include <memory>
#include <thread>
#include <vector>

#include "cli/clone_plan.h"
#include "forked_child.h"
#include "in_process_clone.h"
#include "proc_stats.h"
#include "progress.h"

namespace mimeo::bench {

namespace {

using std::chrono::duration;

double ms_since(Clock::time_point t0) {
  return duration<double, std::milli>(Clock::now() - t0).count();
}

std::string console_path(const BenchSetup& setup, const std::string& round, int i) {
  return fmt::format("{}/{}-{}.sock", setup.work_dir, round, i);
}

// Everything the child measures, before the fault. Runs in the child.
Result<RoundResult> measure_round(const BenchSetup& setup, const std::string& round, int clones,
                                  std::vector<std::unique_ptr<InProcessClone>>& list) {
  MIMEO_ASSIGN_OR_RETURN(cli::ClonePlan plan, cli::plan_clone(setup.template_dir, {}));
  MIMEO_ASSIGN_OR_RETURN(ProcessCost before, read_process_cost(0));
  RoundResult r;
  r.model = kInProcess;
  r.clones = clones;
  Progress warm(fmt::format("in-process N={} warm", clones), clones);
  const auto bring_up = Clock::now();
  for (int i = 0; i < clones; ++i) {
    const std::string path = console_path(setup, round, i);
    const auto t0 = Clock::now();
    MIMEO_ASSIGN_OR_RETURN(auto clone,
                           InProcessClone::restore(plan.run.machine, plan.state_path, path));
    r.restore_ms.push_back(ms_since(t0));
    MIMEO_TRY(clone->connect_console(path));
    list.push_back(std::move(clone));
    warm.done(i + 1);
  }
  r.bring_up_s = ms_since(bring_up) / 1000.0;
  MIMEO_ASSIGN_OR_RETURN(ProcessCost warm_cost, read_process_cost(0));
  Progress started(fmt::format("in-process N={} start→pong", clones), clones);
  for (int i = 0; i < clones; ++i) {
    const auto t0 = Clock::now();
    MIMEO_TRY(list[i]->start());
    MIMEO_TRY(list[i]->console().ping(setup.timeout));
    r.start_to_pong_ms.push_back(ms_since(t0));
    // Paused again (after the timing): hundreds of idle guests ticking at
    // 100 Hz would fill this host's CPUs, and the next clone's latency would
    // measure them.
    MIMEO_TRY(list[i]->pause());
    started.done(i + 1);
  }
  MIMEO_ASSIGN_OR_RETURN(ProcessCost running, read_process_cost(0));
  const auto per_clone = [clones](uint64_t after, uint64_t base) {
    return (static_cast<double>(after) - static_cast<double>(base)) / clones;
  };
  r.warm_private_kib = per_clone(warm_cost.private_kib, before.private_kib);
  r.running_private_kib = per_clone(running.private_kib, before.private_kib);
  r.running_private_dirty_kib = per_clone(running.private_dirty_kib, before.private_dirty_kib);
  r.running_pss_kib = per_clone(running.pss_kib, before.pss_kib);
  r.threads = per_clone(running.threads, before.threads);
  // Less the user's end of each console, which is the bench's, not the clone's.
  r.clone_fds = per_clone(running.fds, before.fds) - 1;
  r.supervisor_fds = r.clone_fds;  // the same process
  return r;
}

int round_child(const BenchSetup& setup, int clones, const ChildChannel& channel) {
  std::vector<std::unique_ptr<InProcessClone>> list;
  const std::string round = fmt::format("in-process-{}", clones);
  auto measured = measure_round(setup, round, clones, list);
  if (!measured.ok()) {
    channel.report("error " + measured.error().describe());
    return 1;
  }
  channel.report(nlohmann::json(*measured).dump());
  if (channel.command() != 'f') {
    return 0;  // the clones are destroyed on the way out
  }
  // The fault: clone 0's console backend writes through a null pointer when
  // the guest answers, on clone 0's vCPU thread.
  list[0]->serial().arm();
  (void)list[0]->start();
  (void)list[0]->console().send("ping\n");
  std::this_thread::sleep_for(setup.timeout);
  return 3;  // the fault did not happen
}

int cold_child(const BenchSetup& setup, int count, const ChildChannel& channel) {
  auto run = [&]() -> Result<ColdResult> {
    MIMEO_ASSIGN_OR_RETURN(cli::ClonePlan plan, cli::plan_clone(setup.template_dir, {}));
    ColdResult c;
    c.model = kInProcess;
    Progress progress("in-process cold", count);
    for (int i = 0; i < count; ++i) {
      const std::string path = console_path(setup, "in-process-cold", i);
      const auto t0 = Clock::now();
      MIMEO_ASSIGN_OR_RETURN(auto clone,
                             InProcessClone::restore(plan.run.machine, plan.state_path, path));
      MIMEO_TRY(clone->connect_console(path));
      const auto t1 = Clock::now();
      MIMEO_TRY(clone->start());
      MIMEO_TRY(clone->console().ping(setup.timeout));
      c.restore_ms.push_back(duration<double, std::milli>(t1 - t0).count());
      c.start_to_pong_ms.push_back(ms_since(t1));
      c.total_ms.push_back(ms_since(t0));
      progress.done(i + 1);
    }
    return c;
  };
  auto result = run();
  channel.report(result.ok() ? nlohmann::json(*result).dump()
                             : "error " + result.error().describe());
  return result.ok() ? 0 : 1;
}

template <class T>
Result<T> parse_report(const std::string& line) {
  if (line.starts_with("error ")) {
    return make_error("in-process child: " + line.substr(6));
  }
  try {
    return nlohmann::json::parse(line).get<T>();
  } catch (const nlohmann::json::exception& e) {
    return make_error(std::string("in-process child: unreadable report: ") + e.what());
  }
}

}  // namespace

Result<RoundResult> run_in_process_round(const BenchSetup& setup, int clones) {
  MIMEO_ASSIGN_OR_RETURN(auto child, ForkedChild::start([&](const ChildChannel& channel) {
                           return round_child(setup, clones, channel);
                         }));
  const auto budget = setup.timeout * (2 * clones + 2);
  MIMEO_ASSIGN_OR_RETURN(auto line, child.read_report(Clock::now() + budget));
  MIMEO_ASSIGN_OR_RETURN(RoundResult r, parse_report<RoundResult>(line));
  MIMEO_TRY(child.send_command('f'));
  r.fault = "null-pointer write in clone 0's serial backend (vCPU thread)";
  MIMEO_ASSIGN_OR_RETURN(r.fault_outcome, child.wait_end(Clock::now() + setup.timeout * 2));
  // The others, from outside, as their users would: connect to the console and ping.
  r.others = clones - 1;
  for (int i = 1; i < clones; ++i) {
    auto client =
        ConsoleClient::connect(console_path(setup, fmt::format("in-process-{}", clones), i));
    if (client.ok() && client->ping(std::chrono::seconds(1)).ok()) {
      ++r.others_answering;
    }
  }
  return r;
}

Result<ColdResult> run_in_process_cold(const BenchSetup& setup, int count) {
  MIMEO_ASSIGN_OR_RETURN(auto child, ForkedChild::start([&](const ChildChannel& channel) {
                           return cold_child(setup, count, channel);
                         }));
  MIMEO_ASSIGN_OR_RETURN(auto line, child.read_report(Clock::now() + setup.timeout * (count + 1)));
  MIMEO_ASSIGN_OR_RETURN(ColdResult c, parse_report<ColdResult>(line));
  MIMEO_ASSIGN_OR_RETURN(auto ended, child.wait_end(Clock::now() + setup.timeout));
  (void)ended;
  return c;
}

}  // namespace mimeo::bench

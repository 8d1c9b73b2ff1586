// What one run of the bench measured, per model and number of clones, and
// how it is summarised (table on stdout, JSON for --json).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace mimeo::bench {

inline constexpr const char* kInProcess = "in-process";
inline constexpr const char* kProcessPerClone = "process-per-clone";

// N clones of one model brought up one after the other, kept warm, then
// started one after the other; then a fault in one of them, and a ping to
// each of the others (resumed one at a time).
struct RoundResult {
  std::string model;
  int clones = 0;
  // Warm: in-process, Machine::create + restore_state + vCPU threads parked;
  // process-per-clone, spawn of `mimeo worker` until it says "ready".
  std::vector<double> restore_ms;
  // From "start" (resume() / the control socket's `start`) to the guest's
  // "pong" on COM1, for a clone warm since the bring-up. Each clone is paused
  // again after its pong, so that one guest runs at a time.
  std::vector<double> start_to_pong_ms;
  double bring_up_s = 0;  // all N warm, one after the other
  // Per clone: in-process, the process's growth divided by N; per process,
  // the mean over the workers.
  double warm_private_kib = 0;
  double running_private_kib = 0;        // after every clone ran (start to pong)
  double running_private_dirty_kib = 0;  // of it, written: never shared
  double running_pss_kib = 0;
  double threads = 0;
  double clone_fds = 0;       // in the process that runs the clone
  double supervisor_fds = 0;  // in the process that controls it (the daemon)
  // The fault in one clone and what it did to the N-1 others.
  std::string fault;
  std::string fault_outcome;
  int others = 0;
  int others_answering = 0;
};

// Clones made and started back to back, one at a time (nothing pre-started).
struct ColdResult {
  std::string model;
  std::vector<double> restore_ms;
  std::vector<double> start_to_pong_ms;
  std::vector<double> total_ms;  // spawn (or create) to pong
};

struct HostFacts {
  int cpus = 0;
  std::string cpu_model;
  std::string kernel;
  bool under_hypervisor = false;  // nested KVM
  unsigned long open_files_limit = 0;
  std::string template_dir;
  std::string mimeo_binary;
  // /proc/loadavg before and after: the machine is shared, and other work
  // running meanwhile shows in the latencies.
  std::string load_before;
  std::string load_after;
};

struct Summary {
  size_t count = 0;
  double median = 0;
  double p90 = 0;
  double max = 0;
  double mean = 0;
};
[[nodiscard]] Summary summarize(std::vector<double> samples);

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(RoundResult, model, clones, restore_ms, start_to_pong_ms,
                                   bring_up_s, warm_private_kib, running_private_kib,
                                   running_private_dirty_kib, running_pss_kib, threads, clone_fds,
                                   supervisor_fds, fault, fault_outcome, others, others_answering)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ColdResult, model, restore_ms, start_to_pong_ms, total_ms)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(HostFacts, cpus, cpu_model, kernel, under_hypervisor,
                                   open_files_limit, template_dir, mimeo_binary, load_before,
                                   load_after)

struct BenchReport {
  HostFacts host;
  std::vector<RoundResult> rounds;
  std::vector<ColdResult> cold;
};

[[nodiscard]] nlohmann::json report_json(const BenchReport& report);
// The tables a reader compares, as Markdown.
[[nodiscard]] std::string report_table(const BenchReport& report);

}  // namespace mimeo::bench

// mimeo_isolation_bench TEMPLATE_DIR [--clones 1,10,100] [--cold K] [--json PATH]
//
// In-process clones (one vmm::Machine per clone in one process) against
// process-per-clone (`mimeo worker`, as the daemon runs it): restore latency,
// start-to-pong, host memory, threads and descriptors per clone, and what a
// fault in one clone does to the others. docs/isolation.md has the method
// and the results.
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "cli/clone_plan.h"
#include "in_process_bench.h"
#include "proc_stats.h"
#include "results.h"
#include "worker_bench.h"

namespace mimeo::bench {
namespace {

struct Options {
  std::string template_dir;
  std::vector<int> clones = {1, 10, 100};
  int cold = 20;
  std::string json_path;
  std::string mimeo_binary;
  std::string work_dir;
  double timeout_s = 30;
};

// build/bench/isolation/mimeo_isolation_bench -> build/mimeo
std::string default_mimeo_binary() {
  std::error_code error;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", error);
  return error ? "mimeo" : (self.parent_path().parent_path().parent_path() / "mimeo").string();
}

// The 1, 5 and 15 minute load averages.
std::string load_average() {
  auto text = read_proc_file("/proc/loadavg");
  if (!text.ok()) {
    return "?";
  }
  size_t end = 0;
  for (int field = 0; field < 3 && end != std::string::npos; ++field) {
    end = text->find(' ', end + (field > 0 ? 1 : 0));
  }
  return text->substr(0, end);
}

HostFacts host_facts(const Options& options) {
  HostFacts h;
  h.cpus = static_cast<int>(::sysconf(_SC_NPROCESSORS_ONLN));
  utsname name{};
  if (::uname(&name) == 0) {
    h.kernel = name.release;
  }
  if (auto cpuinfo = read_proc_file("/proc/cpuinfo"); cpuinfo.ok()) {
    const std::string& text = *cpuinfo;
    if (auto at = text.find("model name"); at != std::string::npos) {
      const auto colon = text.find(':', at);
      h.cpu_model = text.substr(colon + 2, text.find('\n', colon) - colon - 2);
    }
    h.under_hypervisor = text.find(" hypervisor") != std::string::npos;
  }
  rlimit files{};
  ::getrlimit(RLIMIT_NOFILE, &files);
  h.open_files_limit = files.rlim_cur;
  h.template_dir = options.template_dir;
  h.mimeo_binary = options.mimeo_binary;
  h.load_before = load_average();
  return h;
}

// Hundreds of clones in one process hold thousands of descriptors: as a
// daemon would, take the hard limit.
void raise_open_files_limit() {
  rlimit files{};
  if (::getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
    files.rlim_cur = files.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &files);
  }
}

Status check_options(const Options& options) {
  if (auto plan = cli::plan_clone(options.template_dir, {}); !plan.ok()) {
    return plan.error();
  }
  if (::access(options.mimeo_binary.c_str(), X_OK) != 0) {
    return errno_error("--mimeo " + options.mimeo_binary);
  }
  for (int n : options.clones) {
    if (n < 1) {
      return make_error("--clones: " + std::to_string(n) +
                        " is not a number of clones (1 or more)");
    }
  }
  if (options.cold < 0) {
    return make_error("--cold: " + std::to_string(options.cold) + " is negative");
  }
  return {};
}

Result<BenchReport> run(const Options& options) {
  BenchSetup setup;
  setup.template_dir = options.template_dir;
  setup.mimeo_binary = options.mimeo_binary;
  setup.work_dir = options.work_dir;
  setup.timeout = std::chrono::milliseconds(static_cast<int64_t>(options.timeout_s * 1000));
  BenchReport report;
  report.host = host_facts(options);
  // The two models alternate, so that whatever else the machine does meets both.
  for (int n : options.clones) {
    std::fprintf(stderr, "N=%d\n", n);
    MIMEO_ASSIGN_OR_RETURN(auto in_process, run_in_process_round(setup, n));
    report.rounds.push_back(std::move(in_process));
    MIMEO_ASSIGN_OR_RETURN(auto workers, run_worker_round(setup, n));
    report.rounds.push_back(std::move(workers));
  }
  if (options.cold > 0) {
    std::fprintf(stderr, "cold, %d clones one at a time\n", options.cold);
    MIMEO_ASSIGN_OR_RETURN(auto in_process, run_in_process_cold(setup, options.cold));
    report.cold.push_back(std::move(in_process));
    MIMEO_ASSIGN_OR_RETURN(auto workers, run_worker_cold(setup, options.cold));
    report.cold.push_back(std::move(workers));
  }
  report.host.load_after = load_average();
  return report;
}

int bench_main(int argc, char** argv) {
  Options options;
  options.mimeo_binary = default_mimeo_binary();
  CLI::App app("In-process clones against process-per-clone (docs/isolation.md)",
               "mimeo_isolation_bench");
  app.add_option("template", options.template_dir, "a template directory (mimeo template create)")
      ->required();
  app.add_option("--clones", options.clones, "numbers of clones, one round each")->delimiter(',');
  app.add_option("--cold", options.cold, "clones made and started one at a time (0: none)");
  app.add_option("--json", options.json_path, "write the results as JSON here");
  app.add_option("--mimeo", options.mimeo_binary, "the mimeo binary that runs `mimeo worker`");
  app.add_option("--work-dir", options.work_dir, "for sockets and logs (default: a new /tmp dir)");
  app.add_option("--timeout", options.timeout_s, "seconds for any one step of one clone");
  CLI11_PARSE(app, argc, argv);
  if (auto checked = check_options(options); !checked.ok()) {
    std::fprintf(stderr, "mimeo_isolation_bench: %s\n", checked.error().describe().c_str());
    return 2;
  }
  raise_open_files_limit();
  bool own_work_dir = false;
  if (options.work_dir.empty()) {
    char pattern[] = "/tmp/mimeo-isolation-XXXXXX";
    if (::mkdtemp(pattern) == nullptr) {
      std::perror("mimeo_isolation_bench: mkdtemp");
      return 1;
    }
    options.work_dir = pattern;
    own_work_dir = true;
  }
  auto report = run(options);
  if (own_work_dir) {
    std::error_code ignored;
    std::filesystem::remove_all(options.work_dir, ignored);
  }
  if (!report.ok()) {
    std::fprintf(stderr, "mimeo_isolation_bench: %s\n", report.error().describe().c_str());
    return 1;
  }
  std::fputs(report_table(*report).c_str(), stdout);
  if (!options.json_path.empty()) {
    std::ofstream out(options.json_path);
    out << report_json(*report).dump(2) << "\n";
    if (!out) {
      std::fprintf(stderr, "mimeo_isolation_bench: cannot write %s\n", options.json_path.c_str());
      return 1;
    }
  }
  return 0;
}

}  // namespace
}  // namespace mimeo::bench

int main(int argc, char** argv) { return mimeo::bench::bench_main(argc, argv); }

// The supervisor's plain parts: the latency histogram, the smaps_rollup
// parser, the `template create` command line, and worker log tails.
#include <gtest/gtest.h>

#include <fstream>

#include "common/temp_dir.h"
#include "service/metrics_registry.h"
#include "service/process_rollup.h"
#include "service/random_uuid.h"
#include "service/template_builder.h"
#include "service/worker_paths.h"
#include "service/worker_process.h"

namespace mimeo::service {
namespace {

TEST(MetricsRegistry, HistogramIsCumulativeAndCountsPoolHits) {
  MetricsRegistry registry;
  registry.observe_clone_created(0.0004, true);
  registry.observe_clone_created(0.002, true);
  registry.observe_clone_created(5.0, false);
  registry.count_error("clone_start");
  registry.count_error("clone_start");
  const MetricsSnapshot snapshot = registry.snapshot();
  const Histogram& h = snapshot.clone_create_seconds;
  ASSERT_EQ(h.upper_bounds.size(), h.counts.size());
  EXPECT_EQ(h.count, 3u);
  EXPECT_DOUBLE_EQ(h.sum, 5.0024);
  for (size_t i = 0; i < h.upper_bounds.size(); ++i) {
    const uint64_t expected =
        (h.upper_bounds[i] >= 0.0004 ? 1 : 0) + (h.upper_bounds[i] >= 0.002 ? 1 : 0);
    EXPECT_EQ(h.counts[i], expected) << "le=" << h.upper_bounds[i];
  }
  EXPECT_EQ(snapshot.pool_hits_total, 2u);
  EXPECT_EQ(snapshot.pool_misses_total, 1u);
  EXPECT_EQ(snapshot.clones_created_total, 3u);
  EXPECT_EQ(snapshot.errors_total.at("clone_start"), 2u);
}

TEST(MemoryRollup, AddsCleanAndDirtyPages) {
  const char* text =
      "55d0c0a00000-7ffd6d3f1000 ---p 00000000 00:00 0    [rollup]\n"
      "Rss:                1336 kB\n"
      "Shared_Clean:        900 kB\n"
      "Shared_Dirty:         12 kB\n"
      "Private_Clean:        24 kB\n"
      "Private_Dirty:       400 kB\n"
      "Private_Hugetlb:        0 kB\n";
  const MemoryRollup rollup = parse_memory_rollup(text);
  EXPECT_EQ(rollup.private_bytes, 424u * 1024);
  EXPECT_EQ(rollup.shared_bytes, 912u * 1024);
  auto own = read_memory_rollup(::getpid());
  ASSERT_TRUE(own.ok()) << own.error().describe();
  EXPECT_GT(own->private_bytes, 0u);
}

TEST(TemplateBuilder, CommandLineCarriesTheSpec) {
  TemplateSpec spec;
  spec.name = "t";
  spec.kernel = "/k";
  spec.memory = "64M";
  spec.cpus = 2;
  spec.cmdline = "console=ttyS0 quiet";
  spec.ready.serial_text = "ready";
  spec.timeout_seconds = 12.5;
  const std::vector<std::string> expected = {"/bin/mimeo", "template",
                                             "create",     "/s/templates/t",
                                             "--quiet",    "--ready-on-serial",
                                             "ready",      "--timeout",
                                             "12.5",       "--",
                                             "-m",         "64M",
                                             "-smp",       "2",
                                             "-kernel",    "/k",
                                             "-append",    "console=ttyS0 quiet"};
  EXPECT_EQ(template_create_argv("/bin/mimeo", "/s/templates/t", spec), expected);
}

TEST(TemplateBuilder, AFailureCarriesTheCommandsMessage) {
  testing::TempDir dir;
  TemplateSpec spec;
  spec.name = "t";
  spec.kernel = dir.path() + "/missing-kernel";
  spec.ready.after_seconds = 0;
  auto built = build_template(MIMEO_BINARY, dir.path() + "/t", spec);
  ASSERT_FALSE(built.ok());
  EXPECT_EQ(built.error().kind, ErrorKind::kInvalid);
  EXPECT_NE(built.error().message.find("missing-kernel"), std::string::npos)
      << built.error().message;
}

TEST(WorkerLog, LastLineIsTheExitReport) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/worker.log";
  std::ofstream(path) << "first\nmimeo worker: guest exited with status 7\n\n";
  EXPECT_EQ(last_line_of(path), "mimeo worker: guest exited with status 7");
  EXPECT_EQ(last_line_of(dir.path() + "/none"), "");
}

TEST(RandomUuid, IsVersion4Variant1) {
  auto a = random_uuid();
  auto b = random_uuid();
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(*a, *b);
  ASSERT_EQ(a->size(), 36u);
  EXPECT_EQ((*a)[14], '4');
  EXPECT_NE(std::string("89ab").find((*a)[19]), std::string::npos);
}

TEST(WorkerPaths, LiveUnderTheClonesDirectory) {
  const WorkerPaths paths = worker_paths("/var/lib/mimeo", "0123456789ab");
  EXPECT_EQ(paths.dir, "/var/lib/mimeo/clones/0123456789ab");
  EXPECT_EQ(paths.control, paths.dir + "/control.sock");
  EXPECT_EQ(paths.console, paths.dir + "/console.sock");
  EXPECT_EQ(paths.log, paths.dir + "/worker.log");
}

}  // namespace
}  // namespace mimeo::service

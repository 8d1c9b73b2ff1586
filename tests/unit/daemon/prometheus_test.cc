// GET /metrics' text: exact exposition of a snapshot, as Prometheus reads it.
#include "daemon/prometheus.h"

#include <gtest/gtest.h>

#include "daemon/status_counts.h"

namespace mimeo::daemon {
namespace {

TEST(PrometheusTest, RendersEveryFamilyWithHelpAndType) {
  service::MetricsSnapshot m;
  m.clone_create_seconds = {{0.001, 0.0025, 1}, {2, 5, 6}, 0.5, 7};
  m.clones_alive = 4;
  m.clones_warm = 2;
  m.clones_created_total = 9;
  m.pool_hits_total = 5;
  m.pool_misses_total = 4;
  m.memory_private_bytes = 1000;
  m.memory_shared_bytes = 2000;
  m.errors_total = {{"clone_start", 3}};
  std::string text = render_metrics(m, {{200, 10}, {404, 1}});
  EXPECT_EQ(
      text,
      "# HELP mimeo_clone_create_seconds Time from a clone request to its vCPUs told to run, "
      "in seconds.\n"
      "# TYPE mimeo_clone_create_seconds histogram\n"
      "mimeo_clone_create_seconds_bucket{le=\"0.001\"} 2\n"
      "mimeo_clone_create_seconds_bucket{le=\"0.0025\"} 5\n"
      "mimeo_clone_create_seconds_bucket{le=\"1\"} 6\n"
      "mimeo_clone_create_seconds_bucket{le=\"+Inf\"} 7\n"
      "mimeo_clone_create_seconds_sum 0.5\n"
      "mimeo_clone_create_seconds_count 7\n"
      "# HELP mimeo_clones_alive Clones handed out and running or paused.\n"
      "# TYPE mimeo_clones_alive gauge\n"
      "mimeo_clones_alive 4\n"
      "# HELP mimeo_clones_warm Clones started and waiting in warm pools.\n"
      "# TYPE mimeo_clones_warm gauge\n"
      "mimeo_clones_warm 2\n"
      "# HELP mimeo_clones_created_total Clones handed out since the daemon started.\n"
      "# TYPE mimeo_clones_created_total counter\n"
      "mimeo_clones_created_total 9\n"
      "# HELP mimeo_pool_hits_total Clones taken from a warm pool.\n"
      "# TYPE mimeo_pool_hits_total counter\n"
      "mimeo_pool_hits_total 5\n"
      "# HELP mimeo_pool_misses_total Clones started on request (no warm clone was ready).\n"
      "# TYPE mimeo_pool_misses_total counter\n"
      "mimeo_pool_misses_total 4\n"
      "# HELP mimeo_clone_memory_bytes Host memory of the clones' processes (alive and warm), "
      "from smaps_rollup.\n"
      "# TYPE mimeo_clone_memory_bytes gauge\n"
      "mimeo_clone_memory_bytes{kind=\"private\"} 1000\n"
      "mimeo_clone_memory_bytes{kind=\"shared\"} 2000\n"
      "# HELP mimeo_errors_total Failures in the daemon, by kind.\n"
      "# TYPE mimeo_errors_total counter\n"
      "mimeo_errors_total{kind=\"clone_start\"} 3\n"
      "# HELP mimeo_http_requests_total HTTP requests the REST API answered, by status code.\n"
      "# TYPE mimeo_http_requests_total counter\n"
      "mimeo_http_requests_total{code=\"200\"} 10\n"
      "mimeo_http_requests_total{code=\"404\"} 1\n");
}

TEST(PrometheusTest, EscapesLabelValuesAndFormatsNumbers) {
  EXPECT_EQ(escape_label_value("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
  EXPECT_EQ(prometheus_number(0.1), "0.1");
  EXPECT_EQ(prometheus_number(1e-7), "1e-07");
  EXPECT_EQ(prometheus_number(2.0), "2");
  EXPECT_EQ(prometheus_number(1.0 / 0.0), "+Inf");
  EXPECT_EQ(prometheus_number(-1.0 / 0.0), "-Inf");
  EXPECT_EQ(prometheus_number(0.0 / 0.0), "NaN");
}

TEST(StatusCountsTest, CountsByCode) {
  StatusCounts counts;
  counts.count(200);
  counts.count(200);
  counts.count(503);
  counts.count(99);
  counts.count(600);
  EXPECT_EQ(counts.snapshot(), (std::vector<std::pair<int, uint64_t>>{{200, 2}, {503, 1}}));
}

}  // namespace
}  // namespace mimeo::daemon

// How long a warm clone takes to answer once handed out: from writing `start`
// on its control socket to reading `pong` after `ping` on its console, over
// 100 workers kept warm at once as a pool keeps them. A measurement, not a
// test (nothing is asserted about times); run it by hand:
//   build/tests/e2e_tests --gtest_also_run_disabled_tests --gtest_filter='WorkerLatency.*'
#include <gtest/gtest.h>

#include <algorithm>
#include <thread>

#include "e2e/worker_support.h"

namespace mimeo::e2e {
namespace {

using Clock = std::chrono::steady_clock;

double micros(Clock::duration d) { return std::chrono::duration<double, std::micro>(d).count(); }

double percentile(std::vector<double> values, double p) {
  std::sort(values.begin(), values.end());
  return values[std::min(values.size() - 1, static_cast<size_t>(p * values.size()))];
}

void print(const char* what, const std::vector<double>& us) {
  std::printf("%-34s p50 %7.0f us  p99 %7.0f us  max %7.0f us  (n=%zu)\n", what,
              percentile(us, 0.5), percentile(us, 0.99), *std::max_element(us.begin(), us.end()),
              us.size());
}

TEST(WorkerLatency, DISABLED_StartToPongOverAHundredWarmWorkers) {
  constexpr int kWorkers = 100;
  TempDir dir;
  const std::string tmpl = dir.file("template");
  ASSERT_NO_FATAL_FAILURE(create_template(tmpl));
  std::vector<WorkerUnderTest> workers;
  for (int i = 0; i < kWorkers; ++i) {
    workers.push_back(spawn_worker(tmpl, dir.path(), "w" + std::to_string(i)));
    ASSERT_TRUE(workers.back().process);
    ASSERT_EQ(workers.back().notify.next_line(milliseconds(10'000)), "ready");
  }
  std::vector<double> start_reply, start_to_pong, running_ping;
  for (auto& worker : workers) {
    LineChannel control = connect_channel(worker.control);
    LineChannel console = connect_channel(worker.console);
    ASSERT_TRUE(control.valid() && console.valid());
    // Idle as a pooled worker is when its request comes.
    std::this_thread::sleep_for(milliseconds(20));
    const auto begin = Clock::now();
    ASSERT_TRUE(control.send_line("start"));
    ASSERT_EQ(control.next_line(milliseconds(5000)), "ok running");
    const auto running = Clock::now();
    ASSERT_TRUE(console.send_line("ping"));
    ASSERT_EQ(console.next_line(milliseconds(5000)), "pong");
    const auto answered = Clock::now();
    start_reply.push_back(micros(running - begin));
    start_to_pong.push_back(micros(answered - begin));
    // The same question to the guest once it has run: the floor.
    std::this_thread::sleep_for(milliseconds(20));
    const auto asked = Clock::now();
    ASSERT_EQ(ask(console, "ping"), "pong");
    running_ping.push_back(micros(Clock::now() - asked));
    ASSERT_EQ(ask(control, "stop"), "ok stopping");
    EXPECT_EQ(worker.process->wait_exit(), 0);
  }
  print("`start` to `pong`", start_to_pong);
  print("`start` to `ok running`", start_reply);
  print("`ping` to `pong`, running clone", running_ping);
}

}  // namespace
}  // namespace mimeo::e2e

// The CPU priority of the daemon's workers: a pool's warm clones restore at
// SCHED_IDLE (so a refill never takes CPU from a clone just handed out), and
// run at normal priority once handed out; clones a request starts itself run
// at normal priority throughout (docs/daemon.md, "Warm pools").
#include <gtest/gtest.h>
#include <sched.h>
#include <sys/resource.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>

#include "base/cpu_priority.h"
#include "common/temp_dir.h"
#include "e2e/daemon_support.h"

namespace mimeo::e2e {
namespace {

// Every thread of `pid`, with its policy (read as a user would, from
// /proc/PID/task), and its nice value.
struct ThreadPriority {
  int policy = -1;
  int nice = 0;
};
std::map<pid_t, ThreadPriority> thread_priorities(pid_t pid) {
  std::map<pid_t, ThreadPriority> threads;
  std::error_code error;
  for (const auto& entry :
       std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task", error)) {
    const pid_t tid = std::stoi(entry.path().filename().string());
    ThreadPriority priority;
    priority.policy = ::sched_getscheduler(tid);
    priority.nice = ::getpriority(PRIO_PROCESS, static_cast<id_t>(tid));
    threads[tid] = priority;
  }
  return threads;
}

std::string command_line(pid_t pid) {
  std::ifstream file("/proc/" + std::to_string(pid) + "/cmdline");
  std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  std::replace(text.begin(), text.end(), '\0', ' ');
  return text;
}

class DaemonPriorityTest : public DaemonFixture {
 protected:
  void SetUp() override {
    // The daemon is this test's child: it has what the test has.
    if (const IdleExit idle = can_leave_idle_priority(); !idle.allowed) {
      GTEST_SKIP() << "the daemon would warm at normal priority here: " << idle.why;
    }
    DaemonFixture::SetUp();
  }
};

TEST_F(DaemonPriorityTest, WarmClonesWaitAtIdlePriorityAndRunAtNormalPriority) {
  ASSERT_EQ(daemon_->create_guest_template("guest", 2).status, 201);
  ASSERT_TRUE(daemon_->wait_pool("guest", 2));
  const std::vector<pid_t> warm = workers_of(state_);
  ASSERT_EQ(warm.size(), 2u);
  for (const pid_t pid : warm) {
    const auto threads = thread_priorities(pid);
    // The control loop (the main thread), the console's thread, one vCPU.
    ASSERT_GE(threads.size(), 3u) << command_line(pid);
    for (const auto& [tid, priority] : threads) {
      // Only the control loop, which waits for `start`, has left idle
      // priority once the worker is ready: for SCHED_BATCH (its wake-ups do
      // not preempt the daemon's answer).
      EXPECT_EQ(priority.policy, tid == pid ? SCHED_BATCH : SCHED_IDLE)
          << "worker " << pid << " thread " << tid;
    }
    EXPECT_NE(command_line(pid).find("--idle-until-start"), std::string::npos);
  }

  auto clone = daemon_->call("POST", "/clones", Json{{"template", "guest"}});
  ASSERT_EQ(clone.status, 201) << clone.body;
  const Json info = clone.body["clones"][0];
  EXPECT_EQ(info["from_pool"], true);
  const pid_t pid = info["pid"];
  EXPECT_TRUE(std::find(warm.begin(), warm.end(), pid) != warm.end());
  // The guest answers: its vCPUs run, and were raised before they did.
  ASSERT_TRUE(guest_answers(info["console_socket"]));
  const auto threads = thread_priorities(pid);
  ASSERT_GE(threads.size(), 3u);
  for (const auto& [tid, priority] : threads) {
    EXPECT_EQ(priority.policy, tid == pid ? SCHED_BATCH : SCHED_OTHER)
        << "clone " << pid << " thread " << tid;
    EXPECT_EQ(priority.nice, 0) << "clone " << pid << " thread " << tid;  // the daemon's
  }
  EXPECT_EQ(daemon_->call("DELETE", "/clones/" + info["id"].get<std::string>()).status, 204);
}

TEST_F(DaemonPriorityTest, ClonesARequestStartsItselfRunAtNormalPriority) {
  ASSERT_EQ(daemon_->create_guest_template("guest", 0).status, 201);
  auto batch = daemon_->call("POST", "/clones", Json{{"template", "guest"}, {"count", 2}});
  ASSERT_EQ(batch.status, 201) << batch.body;
  for (const auto& clone : batch.body["clones"]) {
    EXPECT_EQ(clone["from_pool"], false);
    const pid_t pid = clone["pid"];
    EXPECT_EQ(command_line(pid).find("--idle-until-start"), std::string::npos) << command_line(pid);
    ASSERT_TRUE(guest_answers(clone["console_socket"]));
    for (const auto& [tid, priority] : thread_priorities(pid)) {
      EXPECT_EQ(priority.policy, tid == pid ? SCHED_BATCH : SCHED_OTHER)
          << "clone " << pid << " thread " << tid;
    }
    EXPECT_EQ(daemon_->call("DELETE", "/clones/" + clone["id"].get<std::string>()).status, 204);
  }
}

}  // namespace
}  // namespace mimeo::e2e

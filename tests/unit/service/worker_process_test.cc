// WorkerProcess against real child processes that stand in for `mimeo
// worker` (shell scripts run with the worker's command line): what the
// daemon says when a worker fails, ends or stays silent before "ready", and
// the priority it spawns a pool's worker at.
#include "service/worker_process.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "base/read_file.h"
#include "common/temp_dir.h"
#include "service/worker_paths.h"

namespace mimeo::service {
namespace {

class WorkerProcessTest : public ::testing::Test {
 protected:
  // A "worker" binary that runs `body` (sh) with the worker's arguments.
  std::string script(const std::string& body) {
    const std::string path = dir_.file("fake-worker");
    std::ofstream(path) << "#!/bin/sh\n" << body << "\n";
    ::chmod(path.c_str(), 0700);
    return path;
  }
  WorkerPaths paths() {
    WorkerPaths paths = worker_paths(dir_.path(), "0123456789ab");
    std::filesystem::create_directories(paths.dir);
    return paths;
  }
  std::string log_text() {
    auto text = read_whole_file(paths().log);
    return text.ok() ? std::string(text->begin(), text->end()) : std::string();
  }

  testing::TempDir dir_;
};

TEST_F(WorkerProcessTest, SilenceNamesTheWorkerTheWaitAndItsLog) {
  const std::string binary = script("echo 'mimeo worker: note: restoring' >&2; exec sleep 30");
  auto worker = WorkerProcess::spawn(binary, "/tmpl", "0123456789ab", paths());
  ASSERT_TRUE(worker.ok()) << worker.error().describe();
  // Wait for the script's line, so the message can quote it.
  for (int i = 0; i < 200 && log_text().empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  auto ready = worker->wait_ready(std::chrono::milliseconds(200));
  ASSERT_FALSE(ready.ok());
  const std::string pid = std::to_string(worker->pid());
  EXPECT_EQ(ready.error().describe(),
            "clone worker 0123456789ab (pid " + pid +
                "): no ready notification on its --notify-fd after 200 ms; its log " + paths().log +
                " ends with: mimeo worker: note: restoring");
  worker->kill();
  (void)worker->reap();
}

TEST_F(WorkerProcessTest, AnEndBeforeReadyQuotesTheLog) {
  const std::string binary = script("echo 'mimeo worker: the template is broken' >&2; exit 1");
  auto worker = WorkerProcess::spawn(binary, "/tmpl", "0123456789ab", paths());
  ASSERT_TRUE(worker.ok()) << worker.error().describe();
  auto ready = worker->wait_ready(std::chrono::milliseconds(5000));
  ASSERT_FALSE(ready.ok());
  EXPECT_EQ(ready.error().describe(), "clone worker 0123456789ab (pid " +
                                          std::to_string(worker->pid()) +
                                          ") ended before it was ready; its log " + paths().log +
                                          " ends with: mimeo worker: the template is broken");
  EXPECT_EQ(worker->reap().code, 1);
}

TEST_F(WorkerProcessTest, TheWorkersOwnErrorIsPassedOn) {
  const std::string binary = script("echo 'error --control: no room' >&3; exit 1");
  auto worker = WorkerProcess::spawn(binary, "/tmpl", "0123456789ab", paths());
  ASSERT_TRUE(worker.ok()) << worker.error().describe();
  auto ready = worker->wait_ready(std::chrono::milliseconds(5000));
  ASSERT_FALSE(ready.ok());
  EXPECT_EQ(ready.error().describe(), "clone worker 0123456789ab (pid " +
                                          std::to_string(worker->pid()) + "): --control: no room");
}

// Field 41 of /proc/PID/stat is the policy; SCHED_IDLE is 5.
TEST_F(WorkerProcessTest, APoolWorkerIsSpawnedAtIdlePriorityAndTold) {
  const std::string binary = script(
      "echo \"policy $(cut -d' ' -f41 /proc/$$/stat) args $*\" >&2; echo ready >&3; "
      "exec sleep 30");
  for (const auto priority : {WorkerPriority::kNormal, WorkerPriority::kIdleUntilStart}) {
    std::filesystem::remove(paths().log);
    auto worker = WorkerProcess::spawn(binary, "/tmpl", "0123456789ab", paths(), priority);
    ASSERT_TRUE(worker.ok()) << worker.error().describe();
    // "ready", then no control socket to connect to: an error, after the log line.
    (void)worker->wait_ready(std::chrono::milliseconds(5000));
    const std::string line = last_line_of(paths().log);
    if (priority == WorkerPriority::kIdleUntilStart) {
      EXPECT_TRUE(line.starts_with("policy 5 ")) << line;
      EXPECT_TRUE(line.ends_with(" --idle-until-start")) << line;
    } else {
      EXPECT_TRUE(line.starts_with("policy 0 ")) << line;
      EXPECT_EQ(line.find("--idle-until-start"), std::string::npos) << line;
    }
    worker->kill();
    (void)worker->reap();
  }
}

}  // namespace
}  // namespace mimeo::service

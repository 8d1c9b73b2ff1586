#include "vmm/run_control.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace mimeo::vmm {
namespace {

// Threads that behave like vCPU threads: loop while runnable.
struct FakeVcpus {
  explicit FakeVcpus(RunControl& control, int n) {
    for (int i = 0; i < n; ++i) {
      threads.emplace_back([&control, this] {
        while (control.wait_until_runnable()) {
          ++iterations;
          std::this_thread::yield();
        }
        control.vcpu_exited();
      });
    }
  }
  ~FakeVcpus() {
    for (auto& t : threads) {
      t.join();
    }
  }
  std::atomic<uint64_t> iterations{0};
  std::vector<std::thread> threads;
};

TEST(RunControl, PauseParksEveryThreadAndResumeReleasesThem) {
  RunControl control(2);
  control.set_running();
  FakeVcpus vcpus(control, 2);
  ASSERT_TRUE(control.pause([] {}));
  EXPECT_EQ(control.state(), RunState::kPaused);
  uint64_t before = vcpus.iterations;
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(vcpus.iterations, before);
  control.resume();
  EXPECT_EQ(control.state(), RunState::kRunning);
  while (vcpus.iterations == before) {
    std::this_thread::yield();
  }
  control.stop({ExitKind::kQuit, 0, 0, "done", 0});
}

TEST(RunControl, FirstStopReasonWinsAndPauseAfterStopFails) {
  RunControl control(1);
  control.set_running();
  FakeVcpus vcpus(control, 1);
  control.stop({ExitKind::kGuestExit, 3, 0, "", 0});
  control.stop({ExitKind::kQuit, 0, 0, "late", 0});
  ExitReport report = control.wait_for_stop();
  EXPECT_EQ(report.kind, ExitKind::kGuestExit);
  EXPECT_EQ(report.status, 3);
  EXPECT_EQ(control.state(), RunState::kStopped);
  EXPECT_FALSE(control.pause([] {}));
}

TEST(RunControl, StartPausedParksThreadsBeforeTheyRun) {
  RunControl control(1);
  control.start_paused();
  FakeVcpus vcpus(control, 1);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(vcpus.iterations, 0U);
  EXPECT_EQ(control.state(), RunState::kPaused);
  control.resume();
  while (vcpus.iterations == 0) {
    std::this_thread::yield();
  }
  control.stop({ExitKind::kQuit, 0, 0, "", 0});
}

TEST(ExitReport, DescribesAndMapsStatusLikeQemu) {
  EXPECT_EQ(describe({ExitKind::kGuestExit, 11, 0, "", 0}),
            "guest exited through isa-debug-exit with status 11");
  EXPECT_EQ(process_status({ExitKind::kGuestExit, 11, 0, "", 0}), 11);
  EXPECT_EQ(process_status({ExitKind::kTripleFault, 0, 1, "", 0}), 1);
  EXPECT_EQ(process_status({ExitKind::kReset, 0, 0, "", 0}), 0);
  EXPECT_EQ(describe({ExitKind::kQuit, 0, 0, "SIGTERM", 2}),
            "VM stopped on request: SIGTERM (2 guest writes to read-only memory were ignored)");
}

}  // namespace
}  // namespace mimeo::vmm

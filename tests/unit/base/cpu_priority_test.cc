// Thread priorities on the real kernel: what a warm worker does with its
// threads, and the permission rule the daemon checks before relying on it.
#include "base/cpu_priority.h"

#include <gtest/gtest.h>
#include <linux/capability.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

namespace mimeo {
namespace {

pid_t this_tid() { return static_cast<pid_t>(::syscall(SYS_gettid)); }

// Batch keeps the thread's nice value, and is not an idle thread to raise.
TEST(CpuPriority, BatchKeepsTheNiceValue) {
  std::thread batch([] {
    const int nice = ::getpriority(PRIO_PROCESS, static_cast<id_t>(this_tid()));
    ASSERT_TRUE(set_thread_batch(0).ok());
    EXPECT_EQ(*thread_policy(0), SCHED_BATCH);
    EXPECT_EQ(::getpriority(PRIO_PROCESS, static_cast<id_t>(this_tid())), nice);
    auto idle = own_idle_threads();
    ASSERT_TRUE(idle.ok()) << idle.error().describe();
    EXPECT_EQ(std::find(idle->begin(), idle->end(), this_tid()), idle->end());
  });
  batch.join();
  EXPECT_EQ(*thread_policy(0), SCHED_OTHER);  // per thread
}

// A thread made idle creates a thread that inherits idle priority; the
// process then raises every one of its idle threads, and only those.
TEST(CpuPriority, IdleIsInheritedByNewThreadsAndLeftByAll) {
  if (!can_leave_idle_priority().allowed) {
    GTEST_SKIP() << "cannot leave SCHED_IDLE here: " << can_leave_idle_priority().why;
  }
  std::atomic<pid_t> parent_tid{0};
  std::atomic<pid_t> child_tid{0};
  std::atomic<bool> done{false};
  std::thread parent([&] {
    ASSERT_TRUE(set_thread_idle(0).ok());
    std::thread child([&] {
      child_tid = this_tid();
      while (!done) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
    });
    parent_tid = this_tid();
    child.join();
  });
  while (child_tid == 0 || parent_tid == 0) {
    std::this_thread::yield();
  }
  EXPECT_EQ(*thread_policy(parent_tid), SCHED_IDLE);
  EXPECT_EQ(*thread_policy(child_tid), SCHED_IDLE);    // inherited from its creator
  EXPECT_EQ(*thread_policy(this_tid()), SCHED_OTHER);  // per thread: the test's own is untouched

  auto tids = own_thread_ids();
  ASSERT_TRUE(tids.ok());
  EXPECT_NE(std::find(tids->begin(), tids->end(), child_tid.load()), tids->end());
  EXPECT_NE(std::find(tids->begin(), tids->end(), this_tid()), tids->end());

  auto idle = own_idle_threads();
  ASSERT_TRUE(idle.ok()) << idle.error().describe();
  std::sort(idle->begin(), idle->end());
  std::vector<pid_t> expected{parent_tid.load(), child_tid.load()};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(*idle, expected);
  auto left = leave_idle_priority(*idle);
  ASSERT_TRUE(left.ok()) << left.error().describe();
  EXPECT_EQ(*thread_policy(parent_tid), SCHED_OTHER);
  EXPECT_EQ(*thread_policy(child_tid), SCHED_OTHER);
  EXPECT_TRUE(own_idle_threads()->empty());
  done = true;
  parent.join();
}

TEST(CpuPriority, TheNiceValueSurvivesIdlePriority) {
  if (!can_leave_idle_priority().allowed) {
    GTEST_SKIP() << "cannot leave SCHED_IDLE here: " << can_leave_idle_priority().why;
  }
  std::thread thread([] {
    ASSERT_EQ(::setpriority(PRIO_PROCESS, static_cast<id_t>(this_tid()), 5), 0);
    ASSERT_TRUE(set_thread_idle(0).ok());
    auto moved = leave_idle_priority(this_tid());
    ASSERT_TRUE(moved.ok()) << moved.error().describe();
    EXPECT_TRUE(*moved);
    EXPECT_EQ(*thread_policy(0), SCHED_OTHER);
    EXPECT_EQ(::getpriority(PRIO_PROCESS, static_cast<id_t>(this_tid())), 5);
  });
  thread.join();
}

TEST(CpuPriority, AThreadThatIsNotIdleIsLeftAlone) {
  auto moved = leave_idle_priority(0);
  ASSERT_TRUE(moved.ok()) << moved.error().describe();
  EXPECT_FALSE(*moved);
  EXPECT_FALSE(thread_policy(999999999).ok());
}

// Without CAP_SYS_NICE and with RLIMIT_NICE 0 the check says no, naming
// what is missing, and the kernel agrees: SCHED_IDLE can be entered but not
// left. In a child process, whose capabilities can be dropped for good.
TEST(CpuPriority, WithoutCapSysNiceIdleIsOneWay) {
  if (::geteuid() != 0) {
    GTEST_SKIP() << "needs root to hold CAP_SYS_NICE first";
  }
  const IdleExit root = can_leave_idle_priority();
  EXPECT_TRUE(root.allowed) << root.why;
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    rlimit none{0, 0};
    if (::setrlimit(RLIMIT_NICE, &none) != 0) {
      ::_exit(10);
    }
    __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3]{};
    if (::syscall(SYS_capget, &header, data) != 0) {
      ::_exit(11);
    }
    data[0].effective &= ~(1U << CAP_SYS_NICE);
    data[0].permitted &= ~(1U << CAP_SYS_NICE);
    if (::syscall(SYS_capset, &header, data) != 0) {
      ::_exit(12);
    }
    const IdleExit check = can_leave_idle_priority();
    if (check.allowed || check.why.find("CAP_SYS_NICE") == std::string::npos) {
      ::_exit(13);
    }
    if (!set_thread_idle(0).ok()) {
      ::_exit(14);
    }
    auto left = leave_idle_priority(0);
    if (left.ok() || left.error().err != EPERM) {
      ::_exit(15);
    }
    ::_exit(thread_policy(0).value() == SCHED_IDLE ? 0 : 16);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "the child failed at step " << WEXITSTATUS(status);
}

}  // namespace
}  // namespace mimeo

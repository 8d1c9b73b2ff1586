#include "base/cpu_priority.h"

#include <dirent.h>
#include <linux/capability.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

namespace mimeo {

namespace {

// CAP_SYS_NICE in the calling thread's effective set, read with capget(2)
// (no libcap: one syscall).
Result<bool> has_effective_sys_nice() {
  __user_cap_header_struct header{};
  header.version = _LINUX_CAPABILITY_VERSION_3;
  header.pid = 0;
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3]{};
  if (::syscall(SYS_capget, &header, data) != 0) {
    return errno_error("capget");
  }
  static_assert(CAP_SYS_NICE < 32);
  return (data[0].effective & (1U << CAP_SYS_NICE)) != 0;
}

Status set_thread_normal(pid_t tid) {
  sched_param param{};
  if (::sched_setscheduler(tid, SCHED_OTHER, &param) != 0) {
    return errno_error("sched_setscheduler " + std::to_string(tid) + " SCHED_OTHER");
  }
  return {};
}

}  // namespace

IdleExit can_leave_idle_priority() {
  errno = 0;
  const int nice = ::getpriority(PRIO_PROCESS, 0);
  if (nice == -1 && errno != 0) {
    return {false, errno_error("getpriority").describe()};
  }
  rlimit limit{};
  if (::getrlimit(RLIMIT_NICE, &limit) != 0) {
    return {false, errno_error("getrlimit RLIMIT_NICE").describe()};
  }
  if (limit.rlim_cur == RLIM_INFINITY || limit.rlim_cur >= static_cast<rlim_t>(20 - nice)) {
    return {true, "RLIMIT_NICE allows nice " + std::to_string(nice)};
  }
  auto sys_nice = has_effective_sys_nice();
  if (!sys_nice.ok()) {
    return {false, sys_nice.error().describe()};
  }
  if (!*sys_nice) {
    return {false, "the process has neither CAP_SYS_NICE nor an RLIMIT_NICE of " +
                       std::to_string(20 - nice) + " (it is " + std::to_string(limit.rlim_cur) +
                       ")"};
  }
  // Root gets its capabilities again at exec; anyone else keeps them only
  // through the ambient set.
  if (::geteuid() == 0) {
    return {true, "the process has CAP_SYS_NICE (root)"};
  }
  if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, CAP_SYS_NICE, 0, 0) == 1) {
    return {true, "the process has CAP_SYS_NICE in its ambient set"};
  }
  return {false,
          "the process has CAP_SYS_NICE, but not in its ambient set: the workers it starts would "
          "not keep it"};
}

Result<int> thread_policy(pid_t tid) {
  const int policy = ::sched_getscheduler(tid);
  if (policy < 0) {
    return errno_error("sched_getscheduler " + std::to_string(tid));
  }
  return policy & ~SCHED_RESET_ON_FORK;
}

Status set_thread_idle(pid_t tid) {
  sched_param param{};
  if (::sched_setscheduler(tid, SCHED_IDLE, &param) != 0) {
    return errno_error("sched_setscheduler " + std::to_string(tid) + " SCHED_IDLE");
  }
  return {};
}

Status set_thread_batch(pid_t tid) {
  sched_param param{};
  if (::sched_setscheduler(tid, SCHED_BATCH, &param) != 0) {
    return errno_error("sched_setscheduler " + std::to_string(tid) + " SCHED_BATCH");
  }
  return {};
}

Result<bool> leave_idle_priority(pid_t tid) {
  MIMEO_ASSIGN_OR_RETURN(const int policy, thread_policy(tid));
  if (policy != SCHED_IDLE) {
    return false;
  }
  MIMEO_TRY(set_thread_normal(tid));
  return true;
}

Result<std::vector<pid_t>> own_thread_ids() {
  DIR* dir = ::opendir("/proc/self/task");
  if (dir == nullptr) {
    return errno_error("opendir /proc/self/task");
  }
  std::vector<pid_t> tids;
  while (const dirent* entry = ::readdir(dir)) {
    char* end = nullptr;
    const long tid = std::strtol(entry->d_name, &end, 10);
    if (end != entry->d_name && *end == '\0' && tid > 0) {
      tids.push_back(static_cast<pid_t>(tid));
    }
  }
  ::closedir(dir);
  return tids;
}

Result<std::vector<pid_t>> own_idle_threads() {
  MIMEO_ASSIGN_OR_RETURN(const auto tids, own_thread_ids());
  std::vector<pid_t> idle;
  for (const pid_t tid : tids) {
    auto policy = thread_policy(tid);
    if (policy.ok() && *policy == SCHED_IDLE) {
      idle.push_back(tid);
    } else if (!policy.ok() && policy.error().err != ESRCH) {
      return policy.error();
    }
  }
  return idle;
}

Status leave_idle_priority(const std::vector<pid_t>& tids) {
  std::string failed;
  for (const pid_t tid : tids) {
    if (auto moved = set_thread_normal(tid); !moved.ok() && moved.error().err != ESRCH) {
      failed += (failed.empty() ? "" : ", ") + moved.error().describe();
    }
  }
  if (!failed.empty()) {
    return make_error("leaving SCHED_IDLE: " + failed);
  }
  return {};
}

}  // namespace mimeo

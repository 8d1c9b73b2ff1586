// What a process costs the host, read from /proc: its memory from
// smaps_rollup, its threads and its open descriptors.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"

namespace mimeo::bench {

struct ProcessCost {
  uint64_t private_kib = 0;  // Private_Clean + Private_Dirty
  uint64_t private_dirty_kib = 0;
  uint64_t pss_kib = 0;  // shared pages divided among the processes mapping them
  uint64_t threads = 0;  // entries of /proc/PID/task
  uint64_t fds = 0;      // entries of /proc/PID/fd
};

// The whole text of a /proc file.
[[nodiscard]] Result<std::string> read_proc_file(const std::string& path);
// `pid` 0 is this process.
[[nodiscard]] Result<ProcessCost> read_process_cost(pid_t pid);
// The smaps_rollup parser alone.
[[nodiscard]] ProcessCost parse_smaps_rollup(std::string_view text);

}  // namespace mimeo::bench

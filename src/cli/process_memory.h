// How much host memory a process uses, from /proc/PID/smaps: what `mimeo demo`
// and the benchmarks report per clone.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>

#include "base/result.h"

namespace mimeo::cli {

struct ProcessMemory {
  uint64_t rss_kib = 0;
  uint64_t pss_kib = 0;
  uint64_t private_kib = 0;    // Private_Clean + Private_Dirty
  uint64_t anonymous_kib = 0;  // memory only this process can ever use
  // Anonymous pages inside mappings of `guest_file`: the guest's own writes
  // (copy-on-write copies of template pages).
  uint64_t guest_written_kib = 0;
};

[[nodiscard]] Result<ProcessMemory> read_process_memory(pid_t pid, const std::string& guest_file);

}  // namespace mimeo::cli

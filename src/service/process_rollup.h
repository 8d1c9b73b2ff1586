// A process's host memory from /proc/PID/smaps_rollup, for the daemon's
// metrics: what only the clone uses (private) and what it shares with others
// (the template's page cache, the mimeo binary).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string_view>

#include "base/result.h"

namespace mimeo::service {

struct MemoryRollup {
  uint64_t private_bytes = 0;  // Private_Clean + Private_Dirty
  uint64_t shared_bytes = 0;   // Shared_Clean + Shared_Dirty
};

[[nodiscard]] Result<MemoryRollup> read_memory_rollup(pid_t pid);
// The parser alone (the text of smaps_rollup).
[[nodiscard]] MemoryRollup parse_memory_rollup(std::string_view text);

}  // namespace mimeo::service

// RAM sections store pages sparsely: all-zero 4 KiB pages are skipped and the rest
// are grouped into runs of consecutive pages, so a mostly empty guest makes a small
// stream.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "base/result.h"
#include "snapshot/stream_types.h"

namespace mimeo::snapshot {

struct PageRun {
  uint64_t first_page = 0;
  uint64_t page_count = 0;

  bool operator==(const PageRun&) const = default;
};

// The maximal runs of non-zero pages of `memory` (whose size is a multiple of 4 KiB),
// in ascending order.
[[nodiscard]] std::vector<PageRun> find_nonzero_runs(std::span<const uint8_t> memory);

// Copies the runs of `ram` into `memory`, which must be exactly ram.size bytes; pages
// in no run are left as they are, so pass fresh (zero) memory. Runs are checked
// against the size again here, so a hand-built DecodedRam cannot write out of bounds.
Status restore_ram(const DecodedRam& ram, std::span<uint8_t> memory);

}  // namespace mimeo::snapshot

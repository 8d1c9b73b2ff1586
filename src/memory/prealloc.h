// prealloc=on: fault in every page of a mapping now instead of on first guest access,
// like QEMU's qemu_prealloc_mem(), in chunks so a caller can show progress.
#pragma once

#include <cstdint>
#include <functional>

#include "base/result.h"

namespace mimeo::memory {

using ProgressFn = std::function<void(uint64_t done, uint64_t total)>;

inline constexpr uint64_t kPreallocChunk = 64ULL << 20;

// Populates [addr, addr + size) with MADV_POPULATE_WRITE (MADV_POPULATE_READ when
// `writable` is false); on kernels before 5.14 (EINVAL) touches each page instead,
// writing back the byte read so contents are kept. For a MAP_PRIVATE file mapping a
// populating write makes a private copy of every page, as QEMU does. `page` is the
// page size of the mapping; progress(done, total) follows each chunk.
Status populate(uint8_t* addr, uint64_t size, uint64_t page, bool writable,
                const ProgressFn& progress);

}  // namespace mimeo::memory

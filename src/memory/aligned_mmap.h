// mmap() at a chosen host address alignment, as QEMU's qemu_ram_mmap(): reserve
// enough address space PROT_NONE, map the memory with MAP_FIXED at the chosen
// address inside, and give back the rest except one PROT_NONE guard page after the
// memory, which catches overruns.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>

#include "base/mapping.h"
#include "base/result.h"

namespace mimeo::memory {

// `align` is a power of two of at least the page size; `skew` is a multiple of the
// page size below `align`. The returned Mapping covers the memory and the guard
// page; data() % align == skew. Errors are `what` with errno.
Result<Mapping> map_aligned(uint64_t size, uint64_t align, uint64_t skew, int prot, int flags,
                            int fd, off_t offset, const std::string& what);

}  // namespace mimeo::memory

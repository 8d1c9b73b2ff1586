#include "memory/prealloc.h"

#include <fmt/format.h>
#include <sys/mman.h>

#include <algorithm>
#include <cerrno>

#include "memory/page_size.h"

namespace mimeo::memory {

namespace {

// The fallback of QEMU's touch_all_pages(): read each page and write the value back,
// so existing data (a file's contents) is kept.
void touch_pages(uint8_t* addr, uint64_t size, uint64_t page, bool writable) {
  for (uint64_t off = 0; off < size; off += page) {
    volatile uint8_t* p = addr + off;
    uint8_t v = *p;
    if (writable) {
      *p = v;
    }
  }
}

}  // namespace

Status populate(uint8_t* addr, uint64_t size, uint64_t page, bool writable,
                const ProgressFn& progress) {
  const uint64_t chunk = std::max(align_up(kPreallocChunk, page), page);
  const int advice = writable ? MADV_POPULATE_WRITE : MADV_POPULATE_READ;
  bool madvise_works = true;
  for (uint64_t done = 0; done < size;) {
    uint64_t len = std::min(chunk, size - done);
    if (madvise_works && ::madvise(addr + done, len, advice) != 0) {
      if (errno != EINVAL) {
        return errno_error(fmt::format("preallocating memory failed at offset {:#x}", done));
      }
      madvise_works = false;  // kernel older than 5.14
    }
    if (!madvise_works) {
      touch_pages(addr + done, len, page, writable);
    }
    done += len;
    if (progress) {
      progress(done, size);
    }
  }
  return {};
}

}  // namespace mimeo::memory

#include "memory/aligned_mmap.h"

#include <sys/mman.h>

#include "memory/page_size.h"

namespace mimeo::memory {

Result<Mapping> map_aligned(uint64_t size, uint64_t align, uint64_t skew, int prot, int flags,
                            int fd, off_t offset, const std::string& what) {
  const uint64_t guard = host_page_size();
  // align_up() moves at most align - guard, then skew, the memory and the guard
  // page: size + align + skew always fits.
  const uint64_t total = size + align + skew;
  void* reserved =
      ::mmap(nullptr, total, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (reserved == MAP_FAILED) {
    return errno_error(what + " (reserving " + std::to_string(total) + " bytes of address space)");
  }
  auto* base = static_cast<uint8_t*>(reserved);
  auto* aligned =
      reinterpret_cast<uint8_t*>(align_up(reinterpret_cast<uintptr_t>(base), align) + skew);
  void* mapped = ::mmap(aligned, size, prot, flags | MAP_FIXED, fd, offset);
  if (mapped == MAP_FAILED) {
    int err = errno;
    ::munmap(reserved, total);
    return errno_error(what, err);
  }
  if (aligned > base) {
    ::munmap(base, static_cast<size_t>(aligned - base));
  }
  uint8_t* tail = aligned + size + guard;
  uint8_t* end = base + total;
  if (end > tail) {
    ::munmap(tail, static_cast<size_t>(end - tail));
  }
  return Mapping::adopt(aligned, size + guard);
}

}  // namespace mimeo::memory

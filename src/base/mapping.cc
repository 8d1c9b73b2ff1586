#include "base/mapping.h"

namespace mimeo {

Result<Mapping> Mapping::map(size_t size, int prot, int flags, int fd, off_t offset,
                             const std::string& what) {
  void* addr = ::mmap(nullptr, size, prot, flags, fd, offset);
  if (addr == MAP_FAILED) {
    return errno_error("mmap " + what);
  }
  return adopt(addr, size);
}

}  // namespace mimeo

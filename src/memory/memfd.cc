#include "memory/memfd.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/mman.h>
#include <unistd.h>

namespace mimeo::memory {

Result<UniqueFd> create_memfd(const BackendOptions& o) {
  // The name shows in /proc/<pid>/maps as "/memfd:<id> (deleted)".
  int raw = ::memfd_create(o.id().c_str(), o.memfd_flags());
  if (raw < 0) {
    return errno_error(
        fmt::format("{}: failed to create memfd with flags {:#x}", o.id(), o.memfd_flags()));
  }
  UniqueFd fd(raw);
  if (::ftruncate(fd.get(), static_cast<off_t>(o.size())) != 0) {
    return errno_error(fmt::format("{}: failed to resize memfd to {}", o.id(), o.size()));
  }
  if (o.memfd_seals() != 0 && ::fcntl(fd.get(), F_ADD_SEALS, o.memfd_seals()) != 0) {
    return errno_error(fmt::format("{}: failed to add seals {:#x}", o.id(), o.memfd_seals()));
  }
  return fd;
}

}  // namespace mimeo::memory

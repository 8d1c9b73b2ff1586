// memory-backend-memfd's file, like QEMU's qemu_memfd_create(): memfd_create(2),
// sized with ftruncate(2), then sealed against growing and shrinking (seal=on).
#pragma once

#include "base/result.h"
#include "base/unique_fd.h"
#include "memory/backend_options.h"

namespace mimeo::memory {

Result<UniqueFd> create_memfd(const BackendOptions& options);

}  // namespace mimeo::memory

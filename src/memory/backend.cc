#include "memory/backend.h"

#include <sys/mman.h>

#include <optional>

#include "memory/aligned_mmap.h"
#include "memory/backing_file.h"
#include "memory/memfd.h"

namespace mimeo::memory {

namespace {

// Advice QEMU gives every RAM block (ram_block_add(), memory_complete()). Failures
// are ignored as in QEMU: they only mean a kernel feature (KSM, THP) is missing.
void advise(const BackendOptions& o, uint8_t* host) {
  const auto size = static_cast<size_t>(o.size());
  ::madvise(host, size, MADV_HUGEPAGE);
  // Children (forks to exec helpers) must not share or copy guest RAM.
  ::madvise(host, size, MADV_DONTFORK);
  if (o.merge()) {
    ::madvise(host, size, MADV_MERGEABLE);
  }
  if (!o.dump()) {
    ::madvise(host, size, MADV_DONTDUMP);
  }
}

}  // namespace

Result<Backend> Backend::create(const BackendOptions& o, const ProgressFn& progress) {
  std::optional<BackingFile> file;
  UniqueFd fd;
  off_t offset = 0;
  switch (o.type()) {
    case BackendType::kFile: {
      MIMEO_ASSIGN_OR_RETURN(BackingFile opened, BackingFile::open(o));
      file.emplace(std::move(opened));
      MIMEO_TRY(file->fit(o));
      offset = static_cast<off_t>(o.offset());
      break;
    }
    case BackendType::kMemfd: {
      MIMEO_ASSIGN_OR_RETURN(fd, create_memfd(o));
      break;
    }
    case BackendType::kRam: break;
  }
  int map_fd = file ? file->fd() : fd.valid() ? fd.get() : -1;
  MIMEO_ASSIGN_OR_RETURN(
      Mapping mapping,
      map_aligned(o.size(), o.host_alignment(), o.host_skew(), o.mmap_prot(), o.mmap_flags(),
                  map_fd, offset, o.id() + ": unable to map backing store for guest RAM"));
  advise(o, mapping.data());
  if (o.prealloc()) {
    Status populated = populate(mapping.data(), o.size(), o.page_size(),
                                (o.mmap_prot() & PROT_WRITE) != 0, progress);
    if (!populated.ok()) {
      return populated.error().context(o.id());
    }
  }
  if (file) {
    fd = file->keep();
  }
  return Backend(o, std::move(fd), std::move(mapping));
}

void Backend::discard_data() {
  // QEMU's file_backend_unparent(): MADV_REMOVE punches the pages out of the file.
  // The kernel allows it only for a shared writable mapping, so a private (template
  // clone) or read-only mapping never touches the file.
  const BackendOptions& o = options_;
  if (mapping_.valid() && o.type() == BackendType::kFile && o.discard_data() && o.share() &&
      !o.readonly()) {
    ::madvise(mapping_.data(), static_cast<size_t>(o.size()), MADV_REMOVE);
  }
}

Backend::~Backend() { discard_data(); }

Backend& Backend::operator=(Backend&& other) noexcept {
  if (this != &other) {
    discard_data();
    options_ = std::move(other.options_);
    fd_ = std::move(other.fd_);
    mapping_ = std::move(other.mapping_);
  }
  return *this;
}

}  // namespace mimeo::memory

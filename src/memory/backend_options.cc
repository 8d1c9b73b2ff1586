#include "memory/backend_options.h"

#include <fcntl.h>
#include <linux/memfd.h>
#include <sys/mman.h>

#include "memory/backend_options_parser.h"
#include "memory/page_size.h"

namespace mimeo::memory {

Result<BackendOptions> BackendOptions::from_keyvalues(const KeyValues& kv) {
  GivenKeys given;
  MIMEO_ASSIGN_OR_RETURN(BackendOptions options, BackendOptionsParser::read(kv, given));
  MIMEO_TRY(BackendOptionsParser::check_rules(options, given));
  return options;
}

Result<BackendOptions> BackendOptions::implicit_ram(uint64_t size, std::string id) {
  BackendOptions options = BackendOptionsParser::ram(std::move(id), size);
  GivenKeys given;
  given.size = true;
  MIMEO_TRY(BackendOptionsParser::check_rules(options, given));
  return options;
}

bool BackendOptions::guest_readonly() const {
  if (type_ != BackendType::kFile) {
    return false;
  }
  return rom_ == OnOffAuto::kOn || (rom_ == OnOffAuto::kAuto && readonly_);
}

int BackendOptions::open_flags() const {
  if (type_ != BackendType::kFile) {
    return -1;
  }
  return (readonly_ ? O_RDONLY : O_RDWR | O_CREAT) | O_CLOEXEC;
}

int BackendOptions::mmap_prot() const {
  return guest_readonly() ? PROT_READ : PROT_READ | PROT_WRITE;
}

int BackendOptions::mmap_flags() const {
  int flags = share_ ? MAP_SHARED : MAP_PRIVATE;
  if (!reserve_) {
    flags |= MAP_NORESERVE;
  }
  if (type_ == BackendType::kRam) {
    flags |= MAP_ANONYMOUS;
  }
  return flags;
}

unsigned BackendOptions::memfd_flags() const {
  if (type_ != BackendType::kMemfd) {
    return 0;
  }
  unsigned flags = MFD_CLOEXEC;
  if (seal_) {
    flags |= MFD_ALLOW_SEALING;
  }
  if (hugetlb_) {
    flags |= MFD_HUGETLB;
    if (hugetlbsize_ != 0) {
      // log2 of the page size in the bits above MFD_HUGE_SHIFT, as MFD_HUGE_2MB etc.
      flags |= static_cast<unsigned>(__builtin_ctzll(hugetlbsize_)) << MFD_HUGE_SHIFT;
    }
  }
  return flags;
}

unsigned BackendOptions::memfd_seals() const {
  if (type_ != BackendType::kMemfd || !seal_) {
    return 0;
  }
  return F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL;
}

}  // namespace mimeo::memory

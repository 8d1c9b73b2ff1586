// QEMU's rules for memory backend options, checked before anything is created. The
// QEMU function each rule comes from is named beside it and listed in docs/memory.md.
#include <fmt/format.h>

#include "memory/backend_options_parser.h"
#include "memory/page_size.h"

namespace mimeo::memory {

namespace {

// QEMU_VMALLOC_ALIGN on x86-64 Linux: anonymous guest RAM starts 2 MiB-aligned.
constexpr uint64_t kAnonymousRamAlignment = 2 * kMiB;
// What one x86-64 page table maps, and so the largest folio a fault maps at once.
constexpr uint64_t kPmdSize = 2 * kMiB;

std::string hex(uint64_t v) { return fmt::format("{:#x}", v); }

// Not QEMU's: where a private file mapping (share=off, a template's clone) goes.
// The file's page cache may hold 2 MiB folios (ext4 and XFS make large folios). If
// the host address is congruent to the file offset modulo 2 MiB, one read fault
// maps the whole folio: PMD-mapped under MADV_HUGEPAGE, or PTE-mapped whole (Linux
// 6.18's fault-around maps an entire folio that fits the page table). A clone would
// then map 2 MiB of the template's page cache that no other clone maps, counted as
// its private memory. The kernel places a mapping at a random page, so this hit
// about one clone in 512. One page past that alignment, a 2 MiB folio always
// straddles two page tables and a fault maps its fault-around window (64 KiB), and
// every clone maps the template's pages alike. align= given places it as asked.
bool is_placed_off_folios(const BackendOptions& o) {
  return o.type() == BackendType::kFile && !o.share() && o.align() == 0 &&
         o.page_size() == host_page_size();
}

// rom=on|off|auto against readonly and share: file_backend_memory_alloc().
Status check_rom(const BackendOptions& o) {
  if (o.rom() == OnOffAuto::kOn && !o.readonly()) {
    return backend_error(o.id(), "property 'rom' = 'on' is not supported with 'readonly' = 'off'");
  }
  if (o.rom() == OnOffAuto::kOff && o.readonly() && o.share()) {
    return backend_error(o.id(),
                         "property 'rom' = 'off' is incompatible with 'readonly' = 'on' and "
                         "'share' = 'on'");
  }
  return {};
}

// hugetlb=, hugetlbsize=: memfd_backend_set_hugetlbsize() and qemu_memfd_create().
Status check_hugetlb(const BackendOptions& o, const GivenKeys& given) {
  if (given.hugetlbsize && o.hugetlbsize() == 0) {
    return backend_error(o.id(),
                         "Property 'memory-backend-memfd.hugetlbsize' doesn't take value '0'");
  }
  if (o.hugetlbsize() != 0 && !is_power_of_two(o.hugetlbsize())) {
    return backend_error(o.id(), "Hugepage size must be a power of 2");
  }
  // mimeo only: QEMU silently ignores hugetlbsize= without hugetlb=on.
  if (o.hugetlbsize() != 0 && !o.hugetlb()) {
    return backend_error(o.id(), "property 'hugetlbsize' requires 'hugetlb' = 'on'");
  }
  return {};
}

uint64_t backend_page_size(const BackendOptions& o) {
  switch (o.type()) {
    case BackendType::kFile: return path_page_size(o.mem_path());
    case BackendType::kMemfd:
      if (o.hugetlb()) {
        uint64_t huge = o.hugetlbsize() != 0 ? o.hugetlbsize() : default_huge_page_size();
        return huge != 0 ? huge : host_page_size();
      }
      return host_page_size();
    case BackendType::kRam: return host_page_size();
  }
  return host_page_size();
}

// align=, offset= and size against the page size: file_ram_alloc().
Status check_page_multiples(const BackendOptions& o, uint64_t page) {
  if (o.align() % page != 0) {
    return backend_error(
        o.id(), "alignment " + hex(o.align()) + " must be multiples of page size " + hex(page));
  }
  if (o.align() != 0 && !is_power_of_two(o.align())) {
    return backend_error(o.id(), "alignment " + hex(o.align()) + " must be a power of two");
  }
  if (o.offset() % page != 0) {
    return backend_error(
        o.id(), "offset " + hex(o.offset()) + " must be multiples of page size " + hex(page));
  }
  if (o.size() < page) {
    return backend_error(o.id(), "memory size " + hex(o.size()) +
                                     " must be equal to or larger than page size " + hex(page));
  }
  // mimeo only: QEMU rounds the RAM block up to the page size, but KVM maps guest
  // memory in whole pages, so the guest would never see the tail.
  if (o.size() % page != 0) {
    return backend_error(
        o.id(), "memory size " + hex(o.size()) + " must be a multiple of page size " + hex(page));
  }
  if (o.offset() > UINT64_MAX - o.size() || o.offset() + o.size() > uint64_t{INT64_MAX}) {
    return backend_error(o.id(), "'offset' option " + hex(o.offset()) + " plus 'size' option " +
                                     hex(o.size()) + " is beyond the largest file offset");
  }
  return {};
}

}  // namespace

Status BackendOptionsParser::check_rules(BackendOptions& o, const GivenKeys& given) {
  // host_memory_backend_set_size()
  if (given.size && o.size_ == 0) {
    return backend_error(
        o.id_, "property 'size' of " + std::string(o.qom_type()) + " doesn't take value '0'");
  }
  // host_memory_backend_set_prealloc() / host_memory_backend_set_reserve()
  if (o.prealloc_ && !o.reserve_) {
    return backend_error(o.id_, "'prealloc=on' and 'reserve=off' are incompatible");
  }
  // ram/file/memfd_backend_memory_alloc()
  if (o.size_ == 0) {
    return backend_error(o.id_, "can't create backend with size 0");
  }
  if (o.type_ == BackendType::kFile && o.mem_path_.empty()) {
    return backend_error(o.id_, "mem-path property not set");
  }
  MIMEO_TRY(check_rom(o));
  MIMEO_TRY(check_hugetlb(o, given));
  o.page_size_ = backend_page_size(o);
  MIMEO_TRY(check_page_multiples(o, o.page_size_));
  o.host_alignment_ = o.type_ == BackendType::kRam ? std::max(kAnonymousRamAlignment, o.page_size_)
                                                   : std::max(o.align_, o.page_size_);
  if (is_placed_off_folios(o)) {
    o.host_alignment_ = kPmdSize;
    o.host_skew_ = (o.offset_ + o.page_size_) % kPmdSize;
  }
  return {};
}

}  // namespace mimeo::memory

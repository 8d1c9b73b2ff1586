// Page sizes that decide how guest RAM may be sized, placed and aligned.
#pragma once

#include <cstdint>
#include <string>

namespace mimeo::memory {

inline constexpr uint64_t kKiB = 1ULL << 10;
inline constexpr uint64_t kMiB = 1ULL << 20;
inline constexpr uint64_t kGiB = 1ULL << 30;

// sysconf(_SC_PAGESIZE).
[[nodiscard]] uint64_t host_page_size();
// "Hugepagesize:" of /proc/meminfo, or 0 when the kernel has no hugetlb support.
[[nodiscard]] uint64_t default_huge_page_size();
// QEMU's qemu_fd_getpagesize() for a descriptor: the block size of a hugetlbfs file
// (the huge page size), otherwise the host page size.
[[nodiscard]] uint64_t fd_page_size(int fd);
// The same for a path that may not exist yet: a missing file is looked up through its
// directory, since the file will be created there.
[[nodiscard]] uint64_t path_page_size(const std::string& path);

[[nodiscard]] constexpr bool is_power_of_two(uint64_t v) { return v != 0 && (v & (v - 1)) == 0; }
// Rounds up to a multiple of `align` (a power of two); the caller rules out overflow.
[[nodiscard]] constexpr uint64_t align_up(uint64_t v, uint64_t align) {
  return (v + align - 1) & ~(align - 1);
}

}  // namespace mimeo::memory

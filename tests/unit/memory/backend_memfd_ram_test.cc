// memory-backend-memfd and memory-backend-ram: sealing, sharing, advice, prealloc.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <vector>

#include "memory/backend.h"
#include "memory/page_size.h"
#include "unit/memory/test_util.h"

namespace mimeo::memory {
namespace {

using testing::backend_error;
using testing::create_backend;
using testing::maps_perms;
using testing::smaps_bytes;
using testing::vm_flags;

constexpr uint64_t kSize = 2 * kMiB;

uint64_t free_huge_pages() {
  std::ifstream meminfo("/proc/meminfo");
  std::string line;
  while (std::getline(meminfo, line)) {
    if (line.rfind("HugePages_Free:", 0) == 0) {
      return std::stoull(line.substr(15));
    }
  }
  return 0;
}

TEST(MemfdBackend, SealedMemfdCannotBeResized) {
  Backend b = create_backend("memory-backend-memfd,id=m0,size=2M");
  ASSERT_GE(b.fd(), 0);
  EXPECT_EQ(::fcntl(b.fd(), F_GET_SEALS), F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL);
  EXPECT_NE(::ftruncate(b.fd(), 4 * kMiB), 0);
  EXPECT_EQ(errno, EPERM);
  EXPECT_NE(::ftruncate(b.fd(), kMiB), 0);
  EXPECT_NE(::fcntl(b.fd(), F_ADD_SEALS, F_SEAL_WRITE), 0);  // F_SEAL_SEAL: no more seals
  EXPECT_EQ(::lseek(b.fd(), 0, SEEK_END), static_cast<off_t>(kSize));
  EXPECT_EQ(::fcntl(b.fd(), F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
}

TEST(MemfdBackend, UnsealedMemfdCanBeResized) {
  Backend b = create_backend("memory-backend-memfd,id=m0,size=2M,seal=off");
  EXPECT_EQ(::fcntl(b.fd(), F_GET_SEALS), F_SEAL_SEAL);  // created without MFD_ALLOW_SEALING
  EXPECT_EQ(::ftruncate(b.fd(), 4 * kMiB), 0);
}

TEST(MemfdBackend, SharedWritesAreInTheMemfd) {
  Backend b = create_backend("memory-backend-memfd,id=m0,size=2M");
  EXPECT_EQ(maps_perms(b.host()), "rw-s");
  std::memcpy(b.host() + 8192, "shared", 6);
  char buf[6];
  ASSERT_EQ(::pread(b.fd(), buf, 6, 8192), 6);
  EXPECT_EQ(std::memcmp(buf, "shared", 6), 0);
  EXPECT_NE(testing::maps_line(b.host()).find("/memfd:m0"), std::string::npos);
}

TEST(MemfdBackend, PrivateWritesStayOutOfTheMemfd) {
  Backend b = create_backend("memory-backend-memfd,id=m0,size=2M,share=off");
  EXPECT_EQ(maps_perms(b.host()), "rw-p");
  std::memcpy(b.host(), "private", 7);
  char buf[7] = {};
  ASSERT_EQ(::pread(b.fd(), buf, 7, 0), 7);
  EXPECT_EQ(std::string(buf, 7), std::string(7, '\0'));
}

TEST(MemfdBackend, HugetlbUsesHugePagesOrSaysWhyNot) {
  std::string text = "memory-backend-memfd,id=huge,size=2M,hugetlb=on,hugetlbsize=2M";
  if (free_huge_pages() == 0) {
    // No huge pages reserved on this host: the mapping fails, naming the backend.
    EXPECT_EQ(backend_error(text),
              "huge: unable to map backing store for guest RAM: Cannot allocate memory");
    return;
  }
  Backend b = create_backend(text);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(b.host()) % (2 * kMiB), 0U);
  EXPECT_NE(vm_flags(b.host()).find(" ht "), std::string::npos);
}

TEST(RamBackend, PrivateAnonymousAlignedForHugePages) {
  Backend b = create_backend("memory-backend-ram,id=r0,size=4M");
  EXPECT_EQ(b.fd(), -1);
  EXPECT_EQ(b.id(), "r0");
  EXPECT_EQ(b.size(), 4 * kMiB);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(b.host()) % (2 * kMiB), 0U);
  EXPECT_EQ(maps_perms(b.host()), "rw-p");
  EXPECT_EQ(maps_perms(b.host() + 4 * kMiB), "---p");  // guard page
  b.host()[4 * kMiB - 1] = 1;                          // the whole size is usable
}

TEST(RamBackend, ShareOnIsSharedAnonymousMemory) {
  Backend b = create_backend("memory-backend-ram,id=r0,size=2M,share=on");
  EXPECT_EQ(maps_perms(b.host()), "rw-s");
}

TEST(RamBackend, ReserveOffNeedsNoMemoryForAHugeBackend) {
  // 64 GiB on a machine with much less: MAP_NORESERVE, nothing touched.
  Backend b = create_backend("memory-backend-ram,id=big,size=64G,reserve=off");
  EXPECT_NE(vm_flags(b.host()).find(" nr "), std::string::npos);
  EXPECT_EQ(smaps_bytes(b.host(), "Rss"), 0U);
}

TEST(RamBackend, QemusAdviceIsApplied) {
  Backend b = create_backend("memory-backend-ram,id=r0,size=2M,dump=off");
  std::string flags = vm_flags(b.host());
  EXPECT_NE(flags.find(" dd "), std::string::npos) << flags;  // MADV_DONTDUMP
  EXPECT_NE(flags.find(" dc "), std::string::npos) << flags;  // MADV_DONTFORK
  EXPECT_NE(flags.find(" hg "), std::string::npos) << flags;  // MADV_HUGEPAGE
  if (std::filesystem::exists("/sys/kernel/mm/ksm")) {
    EXPECT_NE(flags.find(" mg "), std::string::npos) << flags;  // merge=on: MADV_MERGEABLE
  }
  Backend plain = create_backend("memory-backend-ram,id=r1,size=2M,merge=off");
  std::string plain_flags = vm_flags(plain.host());
  EXPECT_EQ(plain_flags.find(" mg "), std::string::npos) << plain_flags;
  EXPECT_EQ(plain_flags.find(" dd "), std::string::npos) << plain_flags;  // dump=on
}

TEST(RamBackend, PreallocPopulatesEveryPageAndReportsProgress) {
  const uint64_t size = 2 * kPreallocChunk + 8 * kMiB;
  std::vector<std::pair<uint64_t, uint64_t>> calls;
  Backend b =
      create_backend("memory-backend-ram,id=r0,size=" + std::to_string(size) + ",prealloc=on",
                     [&](uint64_t done, uint64_t total) { calls.emplace_back(done, total); });
  EXPECT_EQ(smaps_bytes(b.host(), "Rss"), size);
  EXPECT_EQ(testing::resident_pages(b.host(), size), size / host_page_size());
  ASSERT_EQ(calls.size(), 3U);
  EXPECT_EQ(calls[0], std::make_pair(kPreallocChunk, size));
  EXPECT_EQ(calls[1], std::make_pair(2 * kPreallocChunk, size));
  EXPECT_EQ(calls[2], std::make_pair(size, size));
}

TEST(RamBackend, WithoutPreallocNothingIsResident) {
  Backend b = create_backend("memory-backend-ram,id=r0,size=8M");
  EXPECT_EQ(smaps_bytes(b.host(), "Rss"), 0U);
}

TEST(MemfdBackend, PreallocFillsTheMemfd) {
  Backend b = create_backend("memory-backend-memfd,id=m0,size=4M,prealloc=on");
  EXPECT_EQ(smaps_bytes(b.host(), "Rss"), 4 * kMiB);
  struct stat st {};
  ASSERT_EQ(::fstat(b.fd(), &st), 0);
  EXPECT_EQ(static_cast<uint64_t>(st.st_blocks) * 512, 4 * kMiB);  // shmem pages allocated
}

}  // namespace
}  // namespace mimeo::memory

// Where a private file mapping (a template's clone) lands in the host's address
// space, and why: one page past the file's 2 MiB alignment, so that a read fault
// never maps a whole 2 MiB folio of the template's page cache into one clone.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <string>

#include "memory/backend.h"
#include "memory/page_size.h"
#include "unit/memory/test_util.h"

namespace mimeo::memory {
namespace {

using testing::create_backend;
using testing::parse_options;
using testing::TempDir;

constexpr uint64_t kFolio = 2 * kMiB;

uint64_t skew_of(const std::string& extra) {
  auto o = parse_options("memory-backend-file,id=f,size=4M,mem-path=/tmp/x," + extra);
  EXPECT_TRUE(o.ok()) << o.error().describe();
  EXPECT_EQ(o->host_alignment(), o->host_skew() == 0 ? o->host_alignment() : kFolio);
  return o->host_skew();
}

TEST(BackendPlacement, APrivateFileMappingIsOnePagePastTheFilesFolioAlignment) {
  const uint64_t page = host_page_size();
  EXPECT_EQ(skew_of("share=off"), page);
  EXPECT_EQ(skew_of("readonly=on,rom=off,share=off"), page);  // a template's clone
  EXPECT_EQ(skew_of("share=off,offset=8M"), page);
  EXPECT_EQ(skew_of("share=off,offset=4K"), 2 * page);
  EXPECT_EQ(skew_of("share=off,offset=2044K"), 0U);  // 2044K + 4K: the next 2 MiB
}

TEST(BackendPlacement, SharedMappingsAndAlignGivenArePlacedAsQemuPlacesThem) {
  EXPECT_EQ(skew_of("share=on"), 0U);
  EXPECT_EQ(skew_of("share=off,align=2M"), 0U);
  auto ram = parse_options("memory-backend-ram,id=r,size=4M");
  ASSERT_TRUE(ram.ok());
  EXPECT_EQ(ram->host_skew(), 0U);
  EXPECT_EQ(ram->host_alignment(), kFolio);
}

TEST(BackendPlacement, TheMappingLandsWhereTheOptionsSay) {
  TempDir dir;
  const std::string path = dir.file("template");
  testing::write_file(path, std::string(6 * kMiB, 'x'));
  for (const char* offset : {"0", "4K", "1M"}) {
    Backend b = create_backend(
        "memory-backend-file,id=f,size=4M,readonly=on,rom=off,"
        "share=off,mem-path=" +
        path + ",offset=" + offset);
    const uint64_t file_offset = b.options().offset();
    EXPECT_EQ((reinterpret_cast<uintptr_t>(b.host()) - file_offset) % kFolio, host_page_size())
        << "offset=" << offset;
    EXPECT_EQ(testing::maps_perms(b.host() + 4 * kMiB), "---p");  // QEMU's guard page
  }
}

// Bytes of the file that a single read fault maps at `host`.
uint64_t mapped_by_one_read(const uint8_t* host, uint64_t at) {
  volatile uint8_t byte = host[at];
  (void)byte;
  return testing::smaps_bytes(host, "Rss");
}

// The reason for the placement, on this kernel and file system: a mapping congruent
// to the file modulo 2 MiB gets a whole 2 MiB folio of page cache from one read
// fault (when the file system makes such folios), the clone's placement gets only
// the fault-around window.
TEST(BackendPlacement, OneReadFaultOfACloneNeverMapsAWholeFolio) {
  TempDir dir;
  const std::string path = dir.file("template");
  testing::write_file(path, std::string(4 * kMiB, 'x'));  // written whole: large folios
  const std::string text =
      "memory-backend-file,id=f,size=4M,readonly=on,rom=off,share=off,mem-path=" + path;
  Backend clone = create_backend(text);
  const uint64_t clone_bytes = mapped_by_one_read(clone.host(), kMiB);

  // The same file at a 2 MiB-congruent address, as the kernel may place it itself.
  Backend congruent = create_backend(text + ",align=2M");
  ::madvise(congruent.host(), 4 * kMiB, MADV_NOHUGEPAGE);  // PTE-mapped, so Rss counts it
  const uint64_t congruent_bytes = mapped_by_one_read(congruent.host(), kMiB);
  EXPECT_LT(clone_bytes, kFolio);
  if (congruent_bytes < kFolio) {
    GTEST_SKIP() << "one read fault at a 2 MiB-congruent address mapped " << congruent_bytes
                 << " bytes here (no 2 MiB folios in this file system's page cache, or a "
                    "kernel before 6.18); the clone's read mapped "
                 << clone_bytes;
  }
}

}  // namespace
}  // namespace mimeo::memory

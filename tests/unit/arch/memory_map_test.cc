#include "arch/x86/memory_map.h"

#include <gtest/gtest.h>

#include <array>

#include "arch/x86/boot_layout.h"
#include "arch/x86/boot_tables.h"
#include "test_ram.h"

namespace mimeo::x86 {
namespace {

using testing::kGiB;
using testing::kMiB;
using testing::TestRam;

constexpr auto kRam = MemoryType::kRam;
constexpr auto kReserved = MemoryType::kReserved;

TEST(MemoryMap, LowRamGetsTheLegacyHoleReserved) {
  auto map = build_memory_map({{0, 256 * kMiB}});
  ASSERT_TRUE(map.ok()) << map.error().describe();
  EXPECT_EQ(*map, (std::vector<MemoryMapEntry>{{0, 0x9fc00, kRam},
                                               {0x9fc00, 0x100000 - 0x9fc00, kReserved},
                                               {0x100000, 255 * kMiB, kRam}}));
}

TEST(MemoryMap, RamSplitAroundTheMmioHole) {
  auto map = build_memory_map({{0, 3 * kGiB}, {4 * kGiB, 2 * kGiB}});
  ASSERT_TRUE(map.ok());
  ASSERT_EQ(map->size(), 4u);
  EXPECT_EQ((*map)[2], (MemoryMapEntry{0x100000, 3 * kGiB - 0x100000, kRam}));
  EXPECT_EQ((*map)[3], (MemoryMapEntry{4 * kGiB, 2 * kGiB, kRam}));
}

TEST(MemoryMap, TouchingRangesMergeAndOrderDoesNotMatter) {
  auto map = build_memory_map({{64 * kMiB, 64 * kMiB}, {0, 64 * kMiB}});
  ASSERT_TRUE(map.ok());
  ASSERT_EQ(map->size(), 3u);
  EXPECT_EQ((*map)[2], (MemoryMapEntry{0x100000, 127 * kMiB, kRam}));
}

TEST(MemoryMap, RamAboveOneMegabyteOnlyHasNoReservedEntry) {
  auto map = build_memory_map({{16 * kMiB, 16 * kMiB}});
  ASSERT_TRUE(map.ok());
  EXPECT_EQ(*map, (std::vector<MemoryMapEntry>{{16 * kMiB, 16 * kMiB, kRam}}));
}

TEST(MemoryMap, RefusesNoRamAndTooManyEntries) {
  auto none = build_memory_map({});
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().message, "the guest has no RAM");
  std::vector<RamRange> scattered;
  for (uint64_t i = 0; i < 200; ++i) {
    scattered.push_back({4 * kGiB + i * 2 * kMiB, kMiB});
  }
  auto many = build_memory_map(scattered);
  ASSERT_FALSE(many.ok());
  EXPECT_EQ(many.error().message, "guest RAM needs 200 memory map entries; at most 128 fit");
}

TEST(GuestRam, ContainsRunsAcrossTouchingRangesButNotGaps) {
  GuestRam ram;
  ram.ram = {{0, 0x1000}, {0x1000, 0x1000}, {0x3000, 0x1000}};
  EXPECT_TRUE(ram.contains(0x800, 0x1000));
  EXPECT_TRUE(ram.contains(0x3fff, 1));
  EXPECT_FALSE(ram.contains(0x1800, 0x1000));
  EXPECT_FALSE(ram.contains(0x5000, 0));
  EXPECT_FALSE(ram.contains(0x100, UINT64_MAX));
  EXPECT_EQ(ram.end(), 0x4000u);
}

TEST(GuestRam, HostBufferRamRefusesWritesOutsideIt) {
  std::vector<uint8_t> buffer(0x1000);
  GuestRam ram = guest_ram_over(buffer, 0x10000);
  const std::array<uint8_t, 2> bytes = {1, 2};
  ASSERT_TRUE(ram.write(0x10ffe, bytes).ok());
  EXPECT_EQ(buffer[0xfff], 2);
  auto outside = ram.write(0x10fff, bytes);
  ASSERT_FALSE(outside.ok());
  EXPECT_EQ(outside.error().message,
            "guest write of 2 bytes at 0x10fff is outside RAM [0x10000, 0x11000)");
  EXPECT_FALSE(ram.write(0xffff, bytes).ok());
}

TEST(BootTables, GdtHasFlatCodeAndDataDescriptors) {
  TestRam test_ram({{0, 64 * kMiB}});
  ASSERT_TRUE(write_boot_gdt(test_ram.guest_ram()).ok());
  auto gdt = test_ram.read_object<std::array<uint64_t, 4>>(kBootGdtAddr);
  EXPECT_EQ(gdt[0], 0u);
  EXPECT_EQ(gdt[kBootCode32Selector / 8], 0x00cf9b000000ffffu);
  EXPECT_EQ(gdt[kBootCode64Selector / 8], 0x00af9b000000ffffu);
  EXPECT_EQ(gdt[kBootDataSelector / 8], 0x00cf93000000ffffu);
}

TEST(BootTables, PageTablesIdentityMapFourGigabytesWithLargePages) {
  TestRam test_ram({{0, 64 * kMiB}});
  ASSERT_TRUE(write_identity_page_tables(test_ram.guest_ram()).ok());
  using Table = std::array<uint64_t, 512>;
  auto pml4 = test_ram.read_object<Table>(kPml4Addr);
  EXPECT_EQ(pml4[0], kPdptAddr | 0x3);
  EXPECT_EQ(pml4[1], 0u);
  auto pdpt = test_ram.read_object<Table>(kPdptAddr);
  for (uint64_t i = 0; i < 4; ++i) {
    EXPECT_EQ(pdpt[i], (kPageDirectoriesAddr + i * 0x1000) | 0x3);
  }
  EXPECT_EQ(pdpt[4], 0u);
  auto third = test_ram.read_object<Table>(kPageDirectoriesAddr + 2 * 0x1000);
  EXPECT_EQ(third[0], 2 * kGiB | 0x83);
  EXPECT_EQ(third[511], (2 * kGiB + 511 * 2 * kMiB) | 0x83);
  EXPECT_LE(kPageDirectoriesAddr + 4 * 0x1000, kCmdlineAddr) << "tables stay in the boot area";
}

}  // namespace
}  // namespace mimeo::x86

// The guest-physical map: the layout rule, and bounds-checked access.
#include "memory/guest_memory.h"

#include <gtest/gtest.h>

#include <array>
#include <cstring>
#include <vector>

#include "memory/guest_layout.h"
#include "unit/memory/test_util.h"

namespace mimeo::memory {
namespace {

using testing::create_backend;

// reserve=off: the address space is reserved, no memory is used.
Backend lazy_ram(const std::string& id, const std::string& size) {
  return create_backend("memory-backend-ram,id=" + id + ",size=" + size + ",reserve=off");
}

std::vector<PlannedRange> plan(std::vector<uint64_t> sizes) {
  auto ranges = plan_guest_ranges(sizes);
  EXPECT_TRUE(ranges.ok()) << ranges.error().describe();
  return ranges.ok() ? *ranges : std::vector<PlannedRange>{};
}

TEST(GuestLayout, BootRamBelow3GiBStartsAtZero) {
  EXPECT_EQ(plan({512 * kMiB}), (std::vector<PlannedRange>{{0, 0, 0, 512 * kMiB}}));
  EXPECT_EQ(plan({3 * kGiB}), (std::vector<PlannedRange>{{0, 0, 0, 3 * kGiB}}));
}

TEST(GuestLayout, BootRamAbove3GiBContinuesAt4GiB) {
  EXPECT_EQ(plan({5 * kGiB}),
            (std::vector<PlannedRange>{{0, 0, 0, 3 * kGiB}, {0, 3 * kGiB, 4 * kGiB, 2 * kGiB}}));
}

TEST(GuestLayout, NumaNodesStartAtTheNextGiB) {
  EXPECT_EQ(plan({512 * kMiB, 256 * kMiB, kGiB}),
            (std::vector<PlannedRange>{
                {0, 0, 0, 512 * kMiB}, {1, 0, kGiB, 256 * kMiB}, {2, 0, 2 * kGiB, kGiB}}));
}

TEST(GuestLayout, NumaNodeThatWouldEnterTheHoleStartsAt4GiB) {
  EXPECT_EQ(plan({3 * kGiB, kGiB}),
            (std::vector<PlannedRange>{{0, 0, 0, 3 * kGiB}, {1, 0, 4 * kGiB, kGiB}}));
  EXPECT_EQ(
      plan({5 * kGiB, 128 * kMiB}),
      (std::vector<PlannedRange>{
          {0, 0, 0, 3 * kGiB}, {0, 3 * kGiB, 4 * kGiB, 2 * kGiB}, {1, 0, 6 * kGiB, 128 * kMiB}}));
}

TEST(GuestLayout, NumaNodeCrossing3GiBIsSplitAroundTheHole) {
  EXPECT_EQ(plan({kGiB, 4 * kGiB}),
            (std::vector<PlannedRange>{
                {0, 0, 0, kGiB}, {1, 0, kGiB, 2 * kGiB}, {1, 2 * kGiB, 4 * kGiB, 2 * kGiB}}));
}

TEST(GuestLayout, RefusesNothingZeroOrTooMuch) {
  EXPECT_EQ(plan_guest_ranges({}).error().describe(),
            "guest memory: no memory backend for the boot RAM");
  std::vector<uint64_t> zero = {kGiB, 0};
  EXPECT_EQ(plan_guest_ranges(zero).error().describe(), "guest memory: backend 1 has size 0");
  std::vector<uint64_t> huge = {kGuestPhysicalLimit};
  EXPECT_EQ(plan_guest_ranges(huge).error().describe(),
            "guest memory: backend 0 ends beyond the 52-bit guest-physical address space");
}

TEST(GuestMemory, OneBackendBelow3GiB) {
  auto memory = GuestMemory::layout([] {
    std::vector<Backend> v;
    v.push_back(lazy_ram("pc.ram", "1G"));
    return v;
  }());
  ASSERT_TRUE(memory.ok()) << memory.error().describe();
  ASSERT_EQ(memory->regions().size(), 1U);
  const GuestRegion& r = memory->regions()[0];
  EXPECT_EQ(r.gpa, 0U);
  EXPECT_EQ(r.size, kGiB);
  EXPECT_EQ(r.host, memory->backends()[0].host());
  EXPECT_EQ(r.backend_id, "pc.ram");
  EXPECT_EQ(r.backend_offset, 0U);
  EXPECT_EQ(r.numa_node, 0);
  EXPECT_FALSE(r.guest_readonly);
  EXPECT_EQ(memory->ram_end(), kGiB);
}

TEST(GuestMemory, OneBackendAbove3GiBIsSplitAroundTheHole) {
  std::vector<Backend> v;
  v.push_back(lazy_ram("pc.ram", "6G"));
  uint8_t* host = v[0].host();
  auto memory = GuestMemory::layout(std::move(v));
  ASSERT_TRUE(memory.ok()) << memory.error().describe();
  ASSERT_EQ(memory->regions().size(), 2U);
  const GuestRegion& low = memory->regions()[0];
  const GuestRegion& high = memory->regions()[1];
  EXPECT_EQ(low.gpa, 0U);
  EXPECT_EQ(low.size, 3 * kGiB);
  EXPECT_EQ(low.host, host);
  EXPECT_EQ(high.gpa, 4 * kGiB);
  EXPECT_EQ(high.size, 3 * kGiB);
  EXPECT_EQ(high.backend_offset, 3 * kGiB);
  EXPECT_EQ(high.host, host + 3 * kGiB);
  EXPECT_EQ(memory->ram_end(), 7 * kGiB);
  // The MMIO hole is not RAM: IOAPIC and LAPIC live there.
  EXPECT_EQ(memory->host_ptr(0xfec00000, 1), nullptr);
  EXPECT_EQ(memory->host_ptr(0xfee00000, 1), nullptr);
  EXPECT_EQ(memory->host_ptr(4 * kGiB, 1), host + 3 * kGiB);
}

TEST(GuestMemory, SeveralNumaBackends) {
  std::vector<Backend> v;
  v.push_back(lazy_ram("ram0", "512M"));
  v.push_back(create_backend("memory-backend-memfd,id=ram1,size=256M"));
  v.push_back(lazy_ram("ram2", "512M"));
  auto memory = GuestMemory::layout(std::move(v));
  ASSERT_TRUE(memory.ok()) << memory.error().describe();
  const auto& regions = memory->regions();
  ASSERT_EQ(regions.size(), 3U);
  EXPECT_EQ(regions[0].gpa, 0U);
  EXPECT_EQ(regions[0].numa_node, 0);
  EXPECT_EQ(regions[1].gpa, kGiB);
  EXPECT_EQ(regions[1].size, 256 * kMiB);
  EXPECT_EQ(regions[1].backend_id, "ram1");
  EXPECT_EQ(regions[1].numa_node, 1);
  EXPECT_EQ(regions[1].host, memory->backends()[1].host());
  EXPECT_EQ(regions[2].gpa, 2 * kGiB);
  EXPECT_EQ(regions[2].backend_id, "ram2");
  EXPECT_EQ(regions[2].numa_node, 2);
  EXPECT_EQ(memory->ram_end(), 2 * kGiB + 512 * kMiB);
  EXPECT_EQ(memory->find(kGiB + 256 * kMiB), nullptr);  // the gap up to the next GiB
}

TEST(GuestMemory, NumaBackendCrossingTheHoleGetsTwoRegions) {
  std::vector<Backend> v;
  v.push_back(lazy_ram("ram0", "1G"));
  v.push_back(lazy_ram("ram1", "3G"));
  auto memory = GuestMemory::layout(std::move(v));
  ASSERT_TRUE(memory.ok());
  ASSERT_EQ(memory->regions().size(), 3U);
  EXPECT_EQ(memory->regions()[1].gpa, kGiB);
  EXPECT_EQ(memory->regions()[1].size, 2 * kGiB);
  EXPECT_EQ(memory->regions()[2].gpa, 4 * kGiB);
  EXPECT_EQ(memory->regions()[2].backend_offset, 2 * kGiB);
  EXPECT_EQ(memory->regions()[2].numa_node, 1);
  EXPECT_EQ(memory->ram_end(), 5 * kGiB);
}

class GuestAccess : public ::testing::Test {
 protected:
  void SetUp() override {
    std::vector<Backend> v;
    v.push_back(create_backend("memory-backend-ram,id=ram0,size=4M"));
    v.push_back(create_backend("memory-backend-ram,id=ram1,size=4M"));
    auto m = GuestMemory::layout(std::move(v));
    ASSERT_TRUE(m.ok());
    memory_.emplace(std::move(m).value());
  }
  GuestMemory& memory() { return *memory_; }

  std::optional<GuestMemory> memory_;
};

TEST_F(GuestAccess, HostPtrOnlyForRangesInsideOneRegion) {
  uint8_t* host = memory().backends()[0].host();
  EXPECT_EQ(memory().host_ptr(0, 4 * kMiB), host);
  EXPECT_EQ(memory().host_ptr(0x1000, 16), host + 0x1000);
  EXPECT_EQ(memory().host_ptr(4 * kMiB - 1, 1), host + 4 * kMiB - 1);
  EXPECT_EQ(memory().host_ptr(4 * kMiB - 1, 2), nullptr);  // runs past the end
  EXPECT_EQ(memory().host_ptr(4 * kMiB, 1), nullptr);      // between the nodes
  EXPECT_EQ(memory().host_ptr(kGiB, 4 * kMiB), memory().backends()[1].host());
  EXPECT_EQ(memory().host_ptr(kGiB + 4 * kMiB, 1), nullptr);
  EXPECT_EQ(memory().host_ptr(UINT64_MAX, 2), nullptr);
}

TEST_F(GuestAccess, WriteThenReadBack) {
  std::array<uint8_t, 5> data = {1, 2, 3, 4, 5};
  ASSERT_TRUE(memory().write(kGiB + 100, data).ok());
  EXPECT_EQ(std::memcmp(memory().backends()[1].host() + 100, data.data(), data.size()), 0);
  std::array<uint8_t, 5> back{};
  ASSERT_TRUE(memory().read(kGiB + 100, back).ok());
  EXPECT_EQ(back, data);
}

TEST_F(GuestAccess, OutOfRangeAccessNamesTheGpa) {
  std::array<uint8_t, 8> buf{};
  EXPECT_EQ(memory().write(4 * kMiB - 4, buf).error().describe(),
            "guest memory: GPA 0x400000 is not RAM (writing 0x8 bytes at GPA 0x3ffffc)");
  EXPECT_EQ(memory().read(0x80000000, buf).error().describe(),
            "guest memory: GPA 0x80000000 is not RAM (reading 0x8 bytes at GPA 0x80000000)");
  EXPECT_EQ(memory().read(UINT64_MAX - 3, buf).error().describe(),
            "guest memory: range of 0x8 bytes at GPA 0xfffffffffffffffc wraps around");
  // Nothing was written by the failed write.
  EXPECT_EQ(memory().backends()[0].host()[4 * kMiB - 4], 0);
}

TEST(GuestMemory, AccessStopsAtTheHoleAndRunsAcrossAdjacentRegions) {
  // A 4 GiB boot RAM is [0, 3G) + [4G, 5G); a second node of 1 GiB follows at 5G, right
  // after the first: one access may span both.
  std::vector<Backend> v;
  v.push_back(lazy_ram("ram0", "4G"));
  v.push_back(lazy_ram("ram1", "1G"));
  auto memory = GuestMemory::layout(std::move(v));
  ASSERT_TRUE(memory.ok());
  ASSERT_EQ(memory->regions().size(), 3U);
  EXPECT_EQ(memory->regions()[2].gpa, 5 * kGiB);
  std::array<uint8_t, 4> data = {9, 8, 7, 6};
  EXPECT_EQ(memory->write(3 * kGiB - 2, data).error().describe(),
            "guest memory: GPA 0xc0000000 is not RAM (writing 0x4 bytes at GPA 0xbffffffe)");
  ASSERT_TRUE(memory->write(5 * kGiB - 2, data).ok());
  EXPECT_EQ(memory->backends()[0].host()[4 * kGiB - 1], 8);
  EXPECT_EQ(memory->backends()[1].host()[0], 7);
  std::array<uint8_t, 4> back{};
  ASSERT_TRUE(memory->read(5 * kGiB - 2, back).ok());
  EXPECT_EQ(back, data);
  EXPECT_EQ(memory->host_ptr(5 * kGiB - 2, 4), nullptr);  // not within one region
}

TEST(GuestMemory, RomRegionRefusesWrites) {
  testing::TempDir dir;
  std::string path = dir.file("rom");
  testing::write_file(path, testing::pattern(2 * kMiB, 'r'));
  std::vector<Backend> v;
  v.push_back(create_backend("memory-backend-ram,id=ram0,size=2M"));
  v.push_back(create_backend("memory-backend-file,id=rom0,size=2M,readonly=on,mem-path=" + path));
  auto memory = GuestMemory::layout(std::move(v));
  ASSERT_TRUE(memory.ok());
  EXPECT_TRUE(memory->regions()[1].guest_readonly);
  std::array<uint8_t, 1> byte = {0};
  EXPECT_EQ(memory->write(kGiB + 16, byte).error().describe(),
            "guest memory: GPA 0x40000010 is read-only memory of backend 'rom0' (writing 0x1 "
            "bytes at GPA 0x40000010)");
  ASSERT_TRUE(memory->read(kGiB + 16, byte).ok());
  EXPECT_EQ(byte[0], static_cast<uint8_t>(testing::pattern(2 * kMiB, 'r')[16]));
}

TEST(GuestMemory, ABackendIsUsedOnlyOnce) {
  std::vector<Backend> v;
  v.push_back(create_backend("memory-backend-ram,id=mem,size=2M"));
  v.push_back(create_backend("memory-backend-ram,id=mem,size=2M"));
  EXPECT_EQ(GuestMemory::layout(std::move(v)).error().describe(),
            "memory backend mem can't be used multiple times.");
}

TEST(GuestMemory, MovingKeepsHostPointers) {
  std::vector<Backend> v;
  v.push_back(create_backend("memory-backend-ram,id=ram0,size=2M"));
  auto memory = GuestMemory::layout(std::move(v));
  ASSERT_TRUE(memory.ok());
  uint8_t* host = memory->host_ptr(0, 1);
  GuestMemory moved = std::move(memory).value();
  EXPECT_EQ(moved.host_ptr(0, 1), host);
  EXPECT_EQ(moved.backends()[0].host(), host);
}

}  // namespace
}  // namespace mimeo::memory

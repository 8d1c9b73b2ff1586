// -m [size=]megs[,slots=n,maxmem=size] and its agreement with memory-backend=.
#include "memory/memory_size.h"

#include <gtest/gtest.h>

#include "memory/page_size.h"
#include "unit/memory/test_util.h"

namespace mimeo::memory {
namespace {

MemorySize must_parse(const std::string& text) {
  auto m = parse_memory_option(text);
  EXPECT_TRUE(m.ok()) << text << ": " << m.error().describe();
  return m.ok() ? *m : MemorySize{};
}

std::string error_of(const std::string& text) {
  auto m = parse_memory_option(text);
  return m.ok() ? "(accepted)" : m.error().describe();
}

TEST(MemoryOption, BareNumberIsMiB) {
  MemorySize m = must_parse("512");
  EXPECT_EQ(m.size, 512 * kMiB);
  EXPECT_TRUE(m.size_given);
  EXPECT_EQ(m.max_size, m.size);
  EXPECT_EQ(m.slots, 0U);
  EXPECT_EQ(m.hotplug_note(), "");
}

TEST(MemoryOption, SuffixesAndSizeKey) {
  EXPECT_EQ(must_parse("2G").size, 2 * kGiB);
  EXPECT_EQ(must_parse("size=1536M").size, 1536 * kMiB);
  EXPECT_EQ(must_parse("size=4").size, 4 * kMiB);
  EXPECT_EQ(must_parse("262144k").size, 256 * kMiB);
}

TEST(MemoryOption, SizeIsRoundedUpTo8KiBAsQemuDoes) {
  EXPECT_EQ(must_parse("1000B").size, 8 * kKiB);
  EXPECT_EQ(must_parse("12K").size, 16 * kKiB);
}

TEST(MemoryOption, ZeroOrNoSizeMeansTheDefault128MiB) {
  MemorySize zero = must_parse("0");
  EXPECT_EQ(zero.size, kDefaultRamSize);
  EXPECT_FALSE(zero.size_given);
  MemorySize none = must_parse("slots=2,maxmem=1G");
  EXPECT_EQ(none.size, 128 * kMiB);
  EXPECT_FALSE(none.size_given);
}

TEST(MemoryOption, SlotsAndMaxmemAreAcceptedButHotplugIsNotSupported) {
  MemorySize m = must_parse("1G,slots=4,maxmem=4G");
  EXPECT_EQ(m.size, kGiB);
  EXPECT_EQ(m.slots, 4U);
  EXPECT_EQ(m.max_size, 4 * kGiB);
  EXPECT_EQ(m.hotplug_note(),
            "-m: slots=4,maxmem=0x100000000 accepted, but mimeo does not support memory "
            "hotplug: the guest has 0x40000000 bytes of RAM");
}

TEST(MemoryOptionRule, UnknownParameter) {
  EXPECT_EQ(error_of("1G,nodes=2"), "-m: Invalid parameter 'nodes'");
}

TEST(MemoryOptionRule, SizeNotASize) {
  EXPECT_EQ(error_of("lots"),
            "-m: Parameter 'size' expects a non-negative number below 2^64 with an optional "
            "suffix k, M, G, T, P or E");
  EXPECT_EQ(error_of("1G,maxmem=-1"),
            "-m: Parameter 'maxmem' expects a non-negative number below 2^64 with an optional "
            "suffix k, M, G, T, P or E");
}

TEST(MemoryOptionRule, SlotsNotANumber) {
  EXPECT_EQ(error_of("1G,slots=four,maxmem=2G"), "-m: Parameter 'slots' expects a number");
}

TEST(MemoryOptionRule, SlotsWithoutMaxmem) {
  EXPECT_EQ(error_of("1G,slots=2"), "-m: slots specified but no max-size");
}

TEST(MemoryOptionRule, MaxmemBelowSize) {
  // maxmem without suffix is in bytes, as in QEMU.
  EXPECT_EQ(error_of("1G,maxmem=4096"),
            "-m: invalid value of maxmem: maximum memory size (0x1000) must be at least the "
            "initial memory size (0x40000000)");
}

TEST(MemoryOptionRule, SlotsWithMaxmemEqualToSize) {
  EXPECT_EQ(error_of("1G,slots=1,maxmem=1G"),
            "-m: invalid value of maxmem: memory slots were specified but maximum memory size "
            "(0x40000000) is equal to the initial memory size (0x40000000)");
}

TEST(MemoryOptionRule, TooManySlots) {
  EXPECT_EQ(error_of("1G,slots=257,maxmem=2G"), "-m: unsupported amount of memory slots: 257");
}

TEST(MemoryOptionRule, MaxmemNotPageAligned) {
  EXPECT_EQ(error_of("1G,maxmem=2147483649"),
            "-m: maximum memory size must by aligned to multiple of 4096 bytes");
}

TEST(MachineRamSize, MemoryBackendSizeMustMatchExplicitM) {
  auto backend = testing::parse_options("memory-backend-ram,id=pc.ram,size=1G");
  ASSERT_TRUE(backend.ok());
  EXPECT_EQ(*machine_ram_size(must_parse("1024"), *backend), kGiB);
  EXPECT_EQ(machine_ram_size(must_parse("2G"), *backend).error().describe(),
            "Machine memory size does not match the size of the memory backend (-m 0x80000000, "
            "memory backend 'pc.ram' size 0x40000000)");
}

TEST(MachineRamSize, WithoutMTheBackendDecides) {
  auto backend = testing::parse_options("memory-backend-memfd,id=mem,size=3G");
  ASSERT_TRUE(backend.ok());
  EXPECT_EQ(*machine_ram_size(std::nullopt, *backend), 3 * kGiB);
  EXPECT_EQ(*machine_ram_size(must_parse("0"), *backend), 3 * kGiB);
}

}  // namespace
}  // namespace mimeo::memory

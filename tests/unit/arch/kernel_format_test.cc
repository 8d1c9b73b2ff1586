#include "arch/x86/kernel_format.h"

#include <gtest/gtest.h>

#include "arch/x86/boot.h"
#include "arch/x86/boot_layout.h"
#include "image_builders.h"
#include "test_ram.h"

namespace mimeo::x86 {
namespace {

using testing::build_bzimage;
using testing::build_elf64;
using testing::BzImageSpec;
using testing::kMiB;
using testing::simple_pvh_elf;
using testing::TestRam;
using testing::TestSegment;

constexpr const char* kNeither =
    "not a PVH ELF kernel (no XEN_ELFNOTE_PHYS32_ENTRY note) nor a bzImage with a 64-bit entry "
    "point";

TEST(DetectKernel, TellsPvhElfFromBzImage) {
  auto pvh = detect_kernel(simple_pvh_elf());
  ASSERT_TRUE(pvh.ok()) << pvh.error().describe();
  EXPECT_EQ(*pvh, KernelFormat::kPvhElf);
  auto bz = detect_kernel(build_bzimage({}));
  ASSERT_TRUE(bz.ok()) << bz.error().describe();
  EXPECT_EQ(*bz, KernelFormat::kBzImage64);
  EXPECT_EQ(kernel_format_name(KernelFormat::kPvhElf), "PVH ELF");
}

TEST(DetectKernel, NeitherFormatSaysWhatWasExpected) {
  auto random = detect_kernel(std::vector<uint8_t>(4096, 0x42));
  ASSERT_FALSE(random.ok());
  EXPECT_EQ(random.error().message, kNeither);
  auto empty = detect_kernel({});
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().message, kNeither);
  auto plain_elf = detect_kernel(build_elf64({TestSegment{PT_LOAD, 0x100000, {0xf4}}}));
  ASSERT_FALSE(plain_elf.ok());
  EXPECT_EQ(plain_elf.error().message, kNeither);
}

TEST(DetectKernel, NamesWhatIsWrongWithARecognisedFormat) {
  BzImageSpec old;
  old.version = 0x0204;
  auto bz = detect_kernel(build_bzimage(old));
  ASSERT_FALSE(bz.ok());
  EXPECT_EQ(bz.error().message,
            "bzImage: boot protocol 2.04 is older than 2.12, which the 64-bit entry point needs");
  auto elf = simple_pvh_elf();
  elf[EI_DATA] = ELFDATA2MSB;
  auto bad_elf = detect_kernel(elf);
  ASSERT_FALSE(bad_elf.ok());
  EXPECT_EQ(bad_elf.error().message, "ELF: not little-endian");
}

TEST(LoadKernel, DispatchesOnTheFormat) {
  TestRam ram({{0, 64 * kMiB}});
  auto pvh = load_kernel(simple_pvh_elf(), {"a", {}}, ram.guest_ram());
  ASSERT_TRUE(pvh.ok()) << pvh.error().describe();
  EXPECT_EQ(pvh->format, KernelFormat::kPvhElf);
  EXPECT_EQ(pvh->entry, 0x100000u);
  EXPECT_EQ(pvh->boot_info_gpa, kPvhStartInfoAddr);

  auto bz = load_kernel(build_bzimage({}), {"b", std::vector<uint8_t>(100, 1)}, ram.guest_ram());
  ASSERT_TRUE(bz.ok()) << bz.error().describe();
  EXPECT_EQ(bz->format, KernelFormat::kBzImage64);
  EXPECT_EQ(bz->entry, 0x1000200u);
  EXPECT_EQ(bz->boot_info_gpa, kZeroPageAddr);
  ASSERT_TRUE(bz->initrd.has_value());
  EXPECT_EQ(bz->initrd->size, 100u);

  auto neither = load_kernel(std::vector<uint8_t>(10), {}, ram.guest_ram());
  ASSERT_FALSE(neither.ok());
  EXPECT_EQ(neither.error().message, kNeither);
}

}  // namespace
}  // namespace mimeo::x86

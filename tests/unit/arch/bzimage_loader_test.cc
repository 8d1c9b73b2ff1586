#include "arch/x86/bzimage_loader.h"

#include <gtest/gtest.h>

#include "arch/x86/boot_layout.h"
#include "image_builders.h"
#include "test_ram.h"

namespace mimeo::x86 {
namespace {

using testing::build_bzimage;
using testing::BzImageSpec;
using testing::kGiB;
using testing::kMiB;
using testing::TestRam;

std::string load_error(const BzImageSpec& spec, BootOptions options = {},
                       std::vector<RamRange> ranges = {{0, 256 * kMiB}}) {
  TestRam ram(std::move(ranges));
  auto result = load_bzimage(build_bzimage(spec), options, ram.guest_ram());
  return result.ok() ? "" : result.error().message;
}

TEST(BzImageLoader, LoadsAtPrefAddressWithEntryAt0x200) {
  TestRam ram({{0, 256 * kMiB}});
  BzImageSpec spec;
  spec.protected_mode = std::vector<uint8_t>(0x3000, 0xcc);
  auto boot = load_bzimage(build_bzimage(spec), {"console=ttyS0", {}}, ram.guest_ram());
  ASSERT_TRUE(boot.ok()) << boot.error().describe();
  EXPECT_EQ(boot->load_addr, 0x1000000u);
  EXPECT_EQ(boot->entry, 0x1000200u);
  EXPECT_EQ(boot->boot_params_gpa, kZeroPageAddr);
  EXPECT_EQ(boot->kernel_end, 0x1400000u) << "load address + init_size";
  EXPECT_EQ(ram.read(0x1000000, 0x3000), spec.protected_mode);
  EXPECT_FALSE(ram.written(0x100000, 0xf00000)) << "the setup code is not loaded";
}

TEST(BzImageLoader, BootParamsCarryTheHeaderAndWhatTheLoaderFillsIn) {
  TestRam ram({{0, 3 * kGiB}, {4 * kGiB, kGiB}});
  BzImageSpec spec;
  auto image = build_bzimage(spec);
  auto boot = load_bzimage(image, {"root=/dev/vda", {}}, ram.guest_ram());
  ASSERT_TRUE(boot.ok()) << boot.error().describe();
  auto params = ram.read_object<boot_params>(kZeroPageAddr);
  EXPECT_EQ(params.hdr.header, 0x53726448u);
  EXPECT_EQ(params.hdr.boot_flag, 0xaa55);
  EXPECT_EQ(params.hdr.version, 0x020f);
  EXPECT_EQ(params.hdr.init_size, 0x400000u);
  EXPECT_EQ(params.hdr.pref_address, 0x1000000u);
  EXPECT_EQ(params.hdr.type_of_loader, 0xff);
  EXPECT_EQ(params.hdr.code32_start, 0x1000000u);
  EXPECT_EQ(params.hdr.cmd_line_ptr, kCmdlineAddr);
  EXPECT_EQ(params.hdr.ramdisk_image, 0u);
  EXPECT_EQ(params.hdr.ramdisk_size, 0u);
  EXPECT_EQ(ram.read_string(kCmdlineAddr, 100), "root=/dev/vda");
  // The fields the loader does not write are copied byte for byte.
  const auto* bytes = reinterpret_cast<const uint8_t*>(&params);
  EXPECT_EQ(std::memcmp(bytes + 0x1f1, image.data() + 0x1f1, 0x210 - 0x1f1), 0);
  EXPECT_EQ(std::memcmp(bytes + 0x22c, image.data() + 0x22c, 0x26c - 0x22c), 0);
  ASSERT_EQ(params.e820_entries, 4);
  EXPECT_EQ(params.e820_table[0].addr, 0u);
  EXPECT_EQ(params.e820_table[0].size, 0x9fc00u);
  EXPECT_EQ(params.e820_table[0].type, 1u);
  EXPECT_EQ(params.e820_table[1].addr, 0x9fc00u);
  EXPECT_EQ(params.e820_table[1].type, 2u);
  EXPECT_EQ(params.e820_table[2].addr, 0x100000u);
  EXPECT_EQ(params.e820_table[2].size, 3 * kGiB - 0x100000);
  EXPECT_EQ(params.e820_table[3].addr, 4 * kGiB);
  EXPECT_EQ(params.e820_table[3].size, kGiB);
}

TEST(BzImageLoader, InitrdGoesHighBelowInitrdAddrMax) {
  TestRam ram({{0, 512 * kMiB}});
  BzImageSpec spec;
  spec.initrd_addr_max = 0x0fffffff;
  std::vector<uint8_t> initrd(0x12345, 0x77);
  auto boot = load_bzimage(build_bzimage(spec), {"", initrd}, ram.guest_ram());
  ASSERT_TRUE(boot.ok()) << boot.error().describe();
  ASSERT_TRUE(boot->initrd.has_value());
  EXPECT_EQ(boot->initrd->gpa, (0x10000000 - 0x12345) & ~0xfffULL);
  EXPECT_EQ(boot->initrd->gpa % 0x1000, 0u);
  EXPECT_LE(boot->initrd->gpa + 0x12345, 0x10000000u);
  auto params = ram.read_object<boot_params>(kZeroPageAddr);
  EXPECT_EQ(params.hdr.ramdisk_image, boot->initrd->gpa);
  EXPECT_EQ(params.hdr.ramdisk_size, 0x12345u);
  EXPECT_EQ(ram.read(boot->initrd->gpa, initrd.size()), initrd);
}

TEST(BzImageLoader, InitrdStaysBelowTheEndOfRamAndFourGigabytes) {
  TestRam small({{0, 64 * kMiB}});
  std::vector<uint8_t> initrd(kMiB);
  auto boot = load_bzimage(build_bzimage({}), {"", initrd}, small.guest_ram());
  ASSERT_TRUE(boot.ok()) << boot.error().describe();
  EXPECT_EQ(boot->initrd->gpa, 63 * kMiB);

  TestRam split({{0, 3 * kGiB}, {4 * kGiB, 4 * kGiB}});
  BzImageSpec spec;
  spec.initrd_addr_max = 0xffffffff;
  boot = load_bzimage(build_bzimage(spec), {"", initrd}, split.guest_ram());
  ASSERT_TRUE(boot.ok());
  EXPECT_EQ(boot->initrd->gpa, 3 * kGiB - kMiB);

  EXPECT_EQ(load_error({}, {"", std::vector<uint8_t>(60 * kMiB)}, {{0, 64 * kMiB}}),
            "initrd of 62914560 bytes does not fit in guest RAM between 0x1400000 (end of the "
            "kernel) and 0x4000000");
}

TEST(BzImageLoader, RelocatableKernelWithoutPrefAddressRunsAligned) {
  TestRam ram({{0, 64 * kMiB}});
  BzImageSpec spec;
  spec.pref_address = 0;
  auto boot = load_bzimage(build_bzimage(spec), {}, ram.guest_ram());
  ASSERT_TRUE(boot.ok()) << boot.error().describe();
  EXPECT_EQ(boot->load_addr, 0x100000u);
  EXPECT_EQ(boot->entry, 0x100200u);
  // Runs from 2 MiB (kernel_alignment) and needs init_size from there.
  EXPECT_EQ(boot->kernel_end, 0x200000u + 0x400000u);
}

TEST(BzImageLoader, CommandLineLimitComesFromTheHeader) {
  BzImageSpec spec;
  spec.cmdline_size = 255;
  EXPECT_EQ(load_error(spec, {std::string(255, 'a'), {}}), "");
  EXPECT_EQ(load_error(spec, {std::string(256, 'a'), {}}),
            "kernel command line is 256 bytes long; at most 255 fit");
}

TEST(BzImageLoader, RejectsImagesWithoutA64BitEntry) {
  BzImageSpec old;
  old.version = 0x020a;
  EXPECT_EQ(load_error(old),
            "bzImage: boot protocol 2.10 is older than 2.12, which the 64-bit entry point needs");
  BzImageSpec no64;
  no64.xloadflags = 0;
  EXPECT_EQ(load_error(no64),
            "bzImage: XLF_KERNEL_64 is clear: the kernel has no 64-bit entry point");
  BzImageSpec zimage;
  zimage.loadflags = 0;
  EXPECT_EQ(load_error(zimage), "bzImage: LOADED_HIGH is clear: a zImage, which loads below 1 MiB");
  BzImageSpec short_header;
  short_header.header_length = 0x50;  // ends at 0x252, before init_size
  EXPECT_EQ(load_error(short_header),
            "bzImage: setup header ends at 0x252, before init_size at 0x260");
}

TEST(BzImageLoader, RejectsBrokenFiles) {
  TestRam ram({{0, 256 * kMiB}});
  auto load = [&ram](const std::vector<uint8_t>& file) {
    auto result = load_bzimage(file, {}, ram.guest_ram());
    return result.ok() ? std::string() : result.error().message;
  };
  EXPECT_EQ(load(std::vector<uint8_t>(0x100)),
            "bzImage: file of 256 bytes is too short for a setup header");
  auto image = build_bzimage({});
  auto flag = image;
  flag[0x1fe] = 0;
  EXPECT_EQ(load(flag), "bzImage: boot flag at 0x1fe is 0xaa00, not 0xaa55");
  auto magic = image;
  magic[0x202] = 'X';
  EXPECT_EQ(load(magic), "bzImage: no \"HdrS\" signature at 0x202 (a pre-2.00 kernel?)");
  auto no_kernel = std::vector<uint8_t>(image.begin(), image.begin() + 5 * 512);
  EXPECT_EQ(load(no_kernel),
            "bzImage: the setup code (4 sectors) leaves no protected-mode kernel in the file "
            "(2560 bytes)");
  auto truncated = std::vector<uint8_t>(image.begin(), image.end() - 16);
  EXPECT_EQ(load(truncated),
            "bzImage: truncated: syssize says 4096 bytes of protected-mode kernel, the file has "
            "4080");
  BzImageSpec zero_sects;
  zero_sects.setup_sects = 0;  // means 4
  EXPECT_EQ(load(build_bzimage(zero_sects)), "");
}

TEST(BzImageLoader, RejectsKernelsThatDoNotFit) {
  EXPECT_EQ(load_error({}, {}, {{0, 18 * kMiB}}),
            "kernel (init_size 0x400000) [0x1000000, 0x1400000) lies outside guest RAM (which "
            "ends at 0x1200000)");
  BzImageSpec high;
  high.pref_address = 5 * kGiB;
  EXPECT_EQ(load_error(high, {}, {{0, 3 * kGiB}, {4 * kGiB, 4 * kGiB}}),
            "kernel [0x140000000, 0x140400000) is not below 4 GiB");
  EXPECT_EQ(load_error({}, {}, {{16 * kMiB, 64 * kMiB}}),
            "guest RAM does not cover [0x500, 0x30000), where boot data goes");
}

}  // namespace
}  // namespace mimeo::x86

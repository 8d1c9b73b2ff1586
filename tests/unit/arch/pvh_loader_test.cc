#include "arch/x86/pvh_loader.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "arch/x86/boot_layout.h"
#include "arch/x86/pvh_start_info.h"
#include "image_builders.h"
#include "test_ram.h"

namespace mimeo::x86 {
namespace {

using testing::build_elf32;
using testing::build_elf64;
using testing::kGiB;
using testing::kMiB;
using testing::pvh_note;
using testing::simple_pvh_elf;
using testing::TestRam;
using testing::TestSegment;

// Loads `elf` into 256 MiB of RAM and returns the error message (or "" on success).
std::string load_error(const std::vector<uint8_t>& elf, BootOptions options = {}) {
  TestRam ram({{0, 256 * kMiB}});
  auto result = load_pvh_elf(elf, options, ram.guest_ram());
  return result.ok() ? "" : result.error().message;
}

template <class T>
void patch(std::vector<uint8_t>& file, size_t offset, T value) {
  std::memcpy(file.data() + offset, &value, sizeof(T));
}

TEST(PvhLoader, LoadsSegmentsZeroesBssAndFindsTheEntry) {
  TestRam ram({{0, 256 * kMiB}});
  GuestRam guest = ram.guest_ram();
  // Stale bytes where the bss goes must be zeroed.
  std::vector<uint8_t> stale(0x2000, 0xee);
  ASSERT_TRUE(guest.write(0x100000, stale).ok());
  auto elf = build_elf64({
      TestSegment{PT_LOAD, 0x100000, {0xf4, 0x01, 0x02}, 0x1800, 0x1000},
      TestSegment{PT_LOAD, 0x200000, {0xaa}, 0, 0x1000},
      TestSegment{PT_NOTE, 0, pvh_note(0x100000), 0, 4},
  });
  auto boot = load_pvh_elf(elf, {}, guest);
  ASSERT_TRUE(boot.ok()) << boot.error().describe();
  EXPECT_EQ(boot->entry, 0x100000u);
  EXPECT_EQ(boot->start_info_gpa, kPvhStartInfoAddr);
  EXPECT_EQ(boot->kernel_end, 0x200001u);
  EXPECT_FALSE(boot->initrd.has_value());
  EXPECT_EQ(ram.read(0x100000, 4), (std::vector<uint8_t>{0xf4, 0x01, 0x02, 0x00}));
  EXPECT_EQ(ram.read(0x1017ff, 1)[0], 0) << "bss zeroed";
  EXPECT_EQ(ram.read(0x101800, 1)[0], 0xee) << "nothing past memsz";
  EXPECT_EQ(ram.read(0x200000, 1)[0], 0xaa);
}

TEST(PvhLoader, StartInfoHasCmdlineAndMemoryMap) {
  TestRam ram({{0, 3 * kGiB}, {4 * kGiB, kGiB}});
  auto boot = load_pvh_elf(simple_pvh_elf(), {"console=ttyS0 quiet", {}}, ram.guest_ram());
  ASSERT_TRUE(boot.ok()) << boot.error().describe();
  auto info = ram.read_object<HvmStartInfo>(kPvhStartInfoAddr);
  EXPECT_EQ(info.magic, 0x336ec578u);
  EXPECT_EQ(info.version, 1u);
  EXPECT_EQ(info.flags, 0u);
  EXPECT_EQ(info.nr_modules, 0u);
  EXPECT_EQ(info.modlist_paddr, 0u);
  EXPECT_EQ(info.rsdp_paddr, 0u);
  EXPECT_EQ(info.cmdline_paddr, kCmdlineAddr);
  EXPECT_EQ(ram.read_string(kCmdlineAddr, 64), "console=ttyS0 quiet");
  ASSERT_EQ(info.memmap_entries, 4u);
  EXPECT_EQ(info.memmap_paddr, kPvhMemmapAddr);
  auto memmap = ram.read_object<std::array<HvmMemmapEntry, 4>>(kPvhMemmapAddr);
  EXPECT_EQ(memmap[0].addr, 0u);
  EXPECT_EQ(memmap[0].size, 0x9fc00u);
  EXPECT_EQ(memmap[0].type, 1u);
  EXPECT_EQ(memmap[1].addr, 0x9fc00u);
  EXPECT_EQ(memmap[1].size, 0x100000u - 0x9fc00u);
  EXPECT_EQ(memmap[1].type, 2u);
  EXPECT_EQ(memmap[2].addr, 0x100000u);
  EXPECT_EQ(memmap[2].size, 3 * kGiB - 0x100000);
  EXPECT_EQ(memmap[3].addr, 4 * kGiB);
  EXPECT_EQ(memmap[3].size, kGiB);
  EXPECT_EQ(memmap[3].type, 1u);
}

TEST(PvhLoader, InitrdIsTheOneModulePlacedHighBelowFourGigabytes) {
  TestRam ram({{0, 3 * kGiB}, {4 * kGiB, kGiB}});
  std::vector<uint8_t> initrd(10000, 0x5a);
  auto boot = load_pvh_elf(simple_pvh_elf(), {"", initrd}, ram.guest_ram());
  ASSERT_TRUE(boot.ok()) << boot.error().describe();
  ASSERT_TRUE(boot->initrd.has_value());
  // The highest page-aligned place below the end of RAM under 4 GiB.
  EXPECT_EQ(boot->initrd->gpa, (3 * kGiB - 10000) & ~0xfffULL);
  EXPECT_EQ(boot->initrd->size, 10000u);
  EXPECT_EQ(ram.read(boot->initrd->gpa, 10000), initrd);
  auto info = ram.read_object<HvmStartInfo>(kPvhStartInfoAddr);
  EXPECT_EQ(info.nr_modules, 1u);
  EXPECT_EQ(info.modlist_paddr, kPvhModlistAddr);
  auto module = ram.read_object<HvmModlistEntry>(kPvhModlistAddr);
  EXPECT_EQ(module.paddr, boot->initrd->gpa);
  EXPECT_EQ(module.size, 10000u);
  EXPECT_EQ(module.cmdline_paddr, 0u);
}

TEST(PvhLoader, InitrdThatDoesNotFitIsRefused) {
  TestRam ram({{0, 8 * kMiB}});
  std::vector<uint8_t> initrd(7 * kMiB);
  auto boot = load_pvh_elf(simple_pvh_elf(), {"", initrd}, ram.guest_ram());
  ASSERT_FALSE(boot.ok());
  EXPECT_EQ(boot.error().message,
            "initrd of 7340032 bytes does not fit in guest RAM between 0x102000 (end of the "
            "kernel) and 0x800000");
}

TEST(PvhLoader, ThirtyTwoBitElfAndFourByteNoteWork) {
  TestRam ram({{0, 64 * kMiB}});
  auto elf = build_elf32({
      TestSegment{PT_LOAD, 0x400000, {0x90, 0xf4}, 0, 0x1000},
      TestSegment{PT_NOTE, 0, pvh_note(0x400001, 4), 0, 4},
  });
  auto boot = load_pvh_elf(elf, {}, ram.guest_ram());
  ASSERT_TRUE(boot.ok()) << boot.error().describe();
  EXPECT_EQ(boot->entry, 0x400001u);
}

TEST(PvhLoader, NoteAmongOtherNotesIsFound) {
  std::vector<uint8_t> notes = testing::elf_note("GNU", 3, {1, 2, 3, 4, 5, 6, 7, 8});
  auto xen = pvh_note(0x100000);
  notes.insert(notes.end(), xen.begin(), xen.end());
  auto elf = build_elf64(
      {TestSegment{PT_LOAD, 0x100000, {0xf4}, 0, 0x1000}, TestSegment{PT_NOTE, 0, notes, 0, 4}});
  EXPECT_EQ(load_error(elf), "");
}

TEST(PvhLoader, CommandLineLimit) {
  EXPECT_EQ(load_error(simple_pvh_elf(), {std::string(2047, 'x'), {}}), "");
  EXPECT_EQ(load_error(simple_pvh_elf(), {std::string(2048, 'x'), {}}),
            "kernel command line is 2048 bytes long; at most 2047 fit");
  EXPECT_EQ(load_error(simple_pvh_elf(), {std::string("a\0b", 3), {}}),
            "kernel command line contains a NUL byte");
}

TEST(PvhLoader, RejectsFilesThatAreNotX86Executables) {
  EXPECT_EQ(load_error({1, 2, 3}), "ELF: no ELF magic at the start of the file");
  auto elf = simple_pvh_elf();
  auto big_endian = elf;
  big_endian[EI_DATA] = ELFDATA2MSB;
  EXPECT_EQ(load_error(big_endian), "ELF: not little-endian");
  auto bad_class = elf;
  bad_class[EI_CLASS] = 7;
  EXPECT_EQ(load_error(bad_class), "ELF: class 7 is neither 32 nor 64-bit");
  auto bad_version = elf;
  bad_version[EI_VERSION] = 2;
  EXPECT_EQ(load_error(bad_version), "ELF: version 2 is not 1");
  auto arm = elf;
  patch<uint16_t>(arm, offsetof(Elf64_Ehdr, e_machine), EM_AARCH64);
  EXPECT_EQ(load_error(arm), "ELF: machine 183 is not x86 (EM_386 or EM_X86_64)");
  auto shared = elf;
  patch<uint16_t>(shared, offsetof(Elf64_Ehdr, e_type), ET_DYN);
  EXPECT_EQ(load_error(shared), "ELF: type 3 is not an executable (ET_EXEC)");
  EXPECT_EQ(load_error(std::vector<uint8_t>(elf.begin(), elf.begin() + 40)),
            "ELF: file of 40 bytes is shorter than its header");
}

TEST(PvhLoader, RejectsProgramHeadersOutsideTheFile) {
  auto elf = simple_pvh_elf();
  auto table = elf;
  patch<uint64_t>(table, offsetof(Elf64_Ehdr, e_phoff), elf.size() - 10);
  EXPECT_EQ(load_error(table), "ELF: program header table (2 entries at offset " +
                                   fmt::format("{:#x}", elf.size() - 10) +
                                   ") runs past the end of the file (" +
                                   std::to_string(elf.size()) + " bytes)");
  auto huge_offset = elf;
  patch<uint64_t>(huge_offset, offsetof(Elf64_Ehdr, e_phoff), UINT64_MAX - 8);
  EXPECT_NE(load_error(huge_offset).find("runs past the end of the file"), std::string::npos);
  auto no_headers = elf;
  patch<uint16_t>(no_headers, offsetof(Elf64_Ehdr, e_phnum), 0);
  EXPECT_EQ(load_error(no_headers), "ELF: no program headers");
  auto entry_size = elf;
  patch<uint16_t>(entry_size, offsetof(Elf64_Ehdr, e_phentsize), 32);
  EXPECT_EQ(load_error(entry_size), "ELF: program header size 32 is not 56");

  const size_t phdr0 = sizeof(Elf64_Ehdr);
  auto data_outside = elf;
  patch<uint64_t>(data_outside, phdr0 + offsetof(Elf64_Phdr, p_filesz), UINT64_MAX);
  EXPECT_NE(load_error(data_outside).find("ELF: program header 0: 0xffffffffffffffff bytes at"),
            std::string::npos)
      << load_error(data_outside);
  auto file_bigger = elf;
  patch<uint64_t>(file_bigger, phdr0 + offsetof(Elf64_Phdr, p_memsz), 0);
  EXPECT_EQ(load_error(file_bigger),
            "ELF: program header 0: file size 0x1 exceeds memory size 0x0");
}

TEST(PvhLoader, RejectsMissingOrMalformedNotes) {
  auto no_note = build_elf64({TestSegment{PT_LOAD, 0x100000, {0xf4}, 0, 0x1000}});
  EXPECT_EQ(load_error(no_note), "ELF has no XEN_ELFNOTE_PHYS32_ENTRY note: not a PVH kernel");
  auto other_owner =
      build_elf64({TestSegment{PT_LOAD, 0x100000, {0xf4}, 0, 0x1000},
                   TestSegment{PT_NOTE, 0, testing::elf_note("Xex", 18, {0, 0, 0, 0})}});
  EXPECT_EQ(load_error(other_owner), "ELF has no XEN_ELFNOTE_PHYS32_ENTRY note: not a PVH kernel");
  auto note = pvh_note(0x100000);
  auto truncated = build_elf64({TestSegment{PT_LOAD, 0x100000, {0xf4}, 0, 0x1000},
                                TestSegment{PT_NOTE, 0, {note.begin(), note.begin() + 14}}});
  EXPECT_NE(load_error(truncated).find("ELF: note at offset"), std::string::npos);
  EXPECT_NE(load_error(truncated).find("is truncated"), std::string::npos);
  auto lying_size = note;
  patch<uint32_t>(lying_size, 4, 0x10000);  // descsz far past the segment
  EXPECT_NE(load_error(build_elf64({TestSegment{PT_LOAD, 0x100000, {0xf4}, 0, 0x1000},
                                    TestSegment{PT_NOTE, 0, lying_size}}))
                .find("is truncated"),
            std::string::npos);
  auto two_bytes = build_elf64({TestSegment{PT_LOAD, 0x100000, {0xf4}, 0, 0x1000},
                                TestSegment{PT_NOTE, 0, testing::elf_note("Xen", 18, {1, 2})}});
  EXPECT_EQ(load_error(two_bytes), "XEN_ELFNOTE_PHYS32_ENTRY note has 2 bytes, not 4 or 8");
  auto high = build_elf64({TestSegment{PT_LOAD, 0x100000, {0xf4}, 0, 0x1000},
                           TestSegment{PT_NOTE, 0, pvh_note(5 * kGiB)}});
  EXPECT_EQ(load_error(high), "PVH entry point 0x140000000 is above 4 GiB");
  EXPECT_EQ(load_error(simple_pvh_elf({0xf4}, 0x1000, 0x300000)),
            "PVH entry point 0x300000 is not inside a PT_LOAD segment");
}

TEST(PvhLoader, RejectsSegmentsOutsideUsableRam) {
  auto at = [](uint64_t paddr, uint64_t size) {
    return build_elf64({TestSegment{PT_LOAD, paddr, {0xf4}, size, 0x1000},
                        TestSegment{PT_NOTE, 0, pvh_note(paddr)}});
  };
  EXPECT_EQ(load_error(at(255 * kMiB, 2 * kMiB)),
            "ELF segment 0 [0xff00000, 0x10100000) lies outside guest RAM (which ends at "
            "0x10000000)");
  EXPECT_EQ(load_error(at(0x8000, 0x1000)),
            "ELF segment 0 [0x8000, 0x9000) overlaps the boot data area [0x500, 0x30000)");
  EXPECT_EQ(load_error(at(0xf0000, 0x20000)),
            "ELF segment 0 [0xf0000, 0x110000) overlaps the reserved legacy area [0x9fc00, "
            "0x100000)");
  EXPECT_EQ(load_error(at(0x40000, 0x1000)), "") << "low RAM above the boot area is fine";
}

TEST(PvhLoader, NeedsRamUnderTheBootDataArea) {
  TestRam ram({{16 * kMiB, 64 * kMiB}});
  auto boot = load_pvh_elf(simple_pvh_elf(), {}, ram.guest_ram());
  ASSERT_FALSE(boot.ok());
  EXPECT_EQ(boot.error().message,
            "guest RAM does not cover [0x500, 0x30000), where boot data goes");
}

TEST(PvhLoader, NothingIsWrittenWhenASegmentIsRefused) {
  TestRam ram({{0, 16 * kMiB}});
  auto elf = build_elf64({TestSegment{PT_LOAD, 0x100000, {0xf4}, 0, 0x1000},
                          TestSegment{PT_LOAD, 15 * kMiB, {0xf4}, 2 * kMiB, 0x1000},
                          TestSegment{PT_NOTE, 0, pvh_note(0x100000)}});
  ASSERT_FALSE(load_pvh_elf(elf, {}, ram.guest_ram()).ok());
  EXPECT_FALSE(ram.written(0, 16 * kMiB));
}

}  // namespace
}  // namespace mimeo::x86

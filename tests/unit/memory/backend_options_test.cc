// BackendOptions: QEMU's syntax, defaults, kernel flags, and one test per rule.
#include "memory/backend_options.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/memfd.h>
#include <sys/mman.h>

#include "memory/page_size.h"
#include "unit/memory/test_util.h"

namespace mimeo::memory {
namespace {

using testing::options_error;
using testing::parse_options;

BackendOptions must_parse(const std::string& text) {
  auto o = parse_options(text);
  EXPECT_TRUE(o.ok()) << text << ": " << o.error().describe();
  return std::move(o).value();
}

TEST(BackendOptions, RamDefaultsAreQemus) {
  auto o = must_parse("memory-backend-ram,id=ram0,size=64M");
  EXPECT_EQ(o.type(), BackendType::kRam);
  EXPECT_EQ(o.qom_type(), "memory-backend-ram");
  EXPECT_EQ(o.id(), "ram0");
  EXPECT_EQ(o.size(), 64 * kMiB);
  EXPECT_FALSE(o.share());
  EXPECT_FALSE(o.prealloc());
  EXPECT_TRUE(o.merge());
  EXPECT_TRUE(o.dump());
  EXPECT_TRUE(o.reserve());
  EXPECT_FALSE(o.guest_readonly());
  EXPECT_EQ(o.page_size(), host_page_size());
  EXPECT_EQ(o.host_alignment(), 2 * kMiB);
}

TEST(BackendOptions, FileDefaultsAreQemus) {
  auto o = must_parse("memory-backend-file,id=f,size=2M,mem-path=/tmp/x");
  EXPECT_EQ(o.type(), BackendType::kFile);
  EXPECT_EQ(o.mem_path(), "/tmp/x");
  EXPECT_FALSE(o.share());
  EXPECT_FALSE(o.readonly());
  EXPECT_EQ(o.rom(), OnOffAuto::kAuto);
  EXPECT_FALSE(o.discard_data());
  EXPECT_EQ(o.align(), 0U);
  EXPECT_EQ(o.offset(), 0U);
  EXPECT_TRUE(o.merge());
  EXPECT_TRUE(o.dump());
  EXPECT_TRUE(o.reserve());
  EXPECT_FALSE(o.guest_readonly());
  // Not QEMU's: a private file mapping goes one page past 2 MiB (backend_placement_test).
  EXPECT_EQ(o.host_alignment(), 2 * kMiB);
  EXPECT_EQ(o.host_skew(), host_page_size());
}

TEST(BackendOptions, MemfdDefaultsAreSharedAndSealed) {
  auto o = must_parse("memory-backend-memfd,id=m,size=2M");
  EXPECT_EQ(o.type(), BackendType::kMemfd);
  EXPECT_TRUE(o.share());
  EXPECT_TRUE(o.seal());
  EXPECT_FALSE(o.hugetlb());
  EXPECT_EQ(o.hugetlbsize(), 0U);
  EXPECT_EQ(o.memfd_flags(), unsigned{MFD_CLOEXEC | MFD_ALLOW_SEALING});
  EXPECT_EQ(o.memfd_seals(), unsigned{F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL});
  EXPECT_EQ(o.mmap_flags(), MAP_SHARED);
  EXPECT_EQ(o.open_flags(), -1);
}

TEST(BackendOptions, EveryFileOptionIsRead) {
  auto o = must_parse(
      "memory-backend-file,id=f,size=4M,mem-path=/tmp/a,,b,share=on,readonly=off,rom=off,"
      "prealloc=on,discard-data=on,align=2M,offset=8M,merge=off,dump=off,reserve=on");
  EXPECT_EQ(o.mem_path(), "/tmp/a,b");
  EXPECT_TRUE(o.share());
  EXPECT_EQ(o.rom(), OnOffAuto::kOff);
  EXPECT_TRUE(o.prealloc());
  EXPECT_TRUE(o.discard_data());
  EXPECT_EQ(o.align(), 2 * kMiB);
  EXPECT_EQ(o.offset(), 8 * kMiB);
  EXPECT_FALSE(o.merge());
  EXPECT_FALSE(o.dump());
  EXPECT_EQ(o.host_alignment(), 2 * kMiB);
}

TEST(BackendOptions, EveryMemfdAndRamOptionIsRead) {
  auto m = must_parse(
      "memory-backend-memfd,id=m,size=4M,share=off,seal=off,prealloc=on,"
      "merge=off,dump=off,reserve=on");
  EXPECT_FALSE(m.share());
  EXPECT_FALSE(m.seal());
  EXPECT_EQ(m.memfd_flags(), unsigned{MFD_CLOEXEC});
  EXPECT_EQ(m.memfd_seals(), 0U);
  EXPECT_EQ(m.mmap_flags(), MAP_PRIVATE);
  auto h = must_parse("memory-backend-memfd,id=h,size=4M,hugetlb=on,hugetlbsize=2M");
  EXPECT_TRUE(h.hugetlb());
  EXPECT_EQ(h.hugetlbsize(), 2 * kMiB);
  EXPECT_EQ(h.page_size(), 2 * kMiB);
  EXPECT_EQ(h.memfd_flags(),
            unsigned{MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_HUGETLB | MFD_HUGE_2MB});
  auto r = must_parse("memory-backend-ram,id=r,size=1G,share=on,reserve=off,merge=no,dump=false");
  EXPECT_TRUE(r.share());
  EXPECT_FALSE(r.reserve());
  EXPECT_FALSE(r.merge());
  EXPECT_FALSE(r.dump());
  EXPECT_EQ(r.mmap_flags(), MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE);
}

TEST(BackendOptions, RamMapsAnonymousPrivateReadWrite) {
  auto o = must_parse("memory-backend-ram,id=r,size=2M");
  EXPECT_EQ(o.mmap_flags(), MAP_PRIVATE | MAP_ANONYMOUS);
  EXPECT_EQ(o.mmap_prot(), PROT_READ | PROT_WRITE);
  EXPECT_EQ(o.open_flags(), -1);
  EXPECT_EQ(o.memfd_flags(), 0U);
}

TEST(BackendOptions, TemplateVmIsSharedWritableFile) {
  // vm-templating.rst: the template VM's RAM is share=on (readonly=off implicit).
  auto o = must_parse("memory-backend-file,id=pc.ram,mem-path=template,size=2G,share=on");
  EXPECT_EQ(o.open_flags(), O_RDWR | O_CREAT | O_CLOEXEC);
  EXPECT_EQ(o.mmap_prot(), PROT_READ | PROT_WRITE);
  EXPECT_EQ(o.mmap_flags(), MAP_SHARED);
  EXPECT_FALSE(o.guest_readonly());
}

TEST(BackendOptions, TemplateCloneIsReadOnlyFilePrivateWritableMapping) {
  // vm-templating.rst: readonly=on,rom=off (share=off implicit): the file is opened
  // read-only, the mapping is private and writable, so guest writes are copy-on-write.
  auto o =
      must_parse("memory-backend-file,id=pc.ram,mem-path=template,size=2G,readonly=on,rom=off");
  EXPECT_EQ(o.open_flags(), O_RDONLY | O_CLOEXEC);
  EXPECT_EQ(o.mmap_prot(), PROT_READ | PROT_WRITE);
  EXPECT_EQ(o.mmap_flags(), MAP_PRIVATE);
  EXPECT_FALSE(o.guest_readonly());
}

TEST(BackendOptions, ReadonlyWithRomAutoIsRomForTheGuest) {
  auto priv = must_parse("memory-backend-file,id=f,mem-path=x,size=2M,readonly=on");
  EXPECT_TRUE(priv.guest_readonly());
  EXPECT_EQ(priv.mmap_prot(), PROT_READ);
  EXPECT_EQ(priv.mmap_flags(), MAP_PRIVATE);
  auto shared = must_parse("memory-backend-file,id=f,mem-path=x,size=2M,readonly=on,share=on");
  EXPECT_TRUE(shared.guest_readonly());
  EXPECT_EQ(shared.mmap_prot(), PROT_READ);
  EXPECT_EQ(shared.mmap_flags(), MAP_SHARED);
  auto rom = must_parse("memory-backend-file,id=f,mem-path=x,size=2M,readonly=on,rom=on");
  EXPECT_TRUE(rom.guest_readonly());
  auto rw = must_parse("memory-backend-file,id=f,mem-path=x,size=2M,rom=auto");
  EXPECT_FALSE(rw.guest_readonly());
}

TEST(BackendOptions, ReserveOffAddsMapNoreserve) {
  auto o = must_parse("memory-backend-file,id=f,mem-path=x,size=2M,reserve=off,share=on");
  EXPECT_EQ(o.mmap_flags(), MAP_SHARED | MAP_NORESERVE);
}

TEST(BackendOptions, MemfdSealWithShareOffIsAcceptedAsInQemu) {
  auto o = must_parse("memory-backend-memfd,id=m,size=2M,share=off,seal=on");
  EXPECT_EQ(o.memfd_seals(), unsigned{F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL});
}

TEST(BackendOptions, ImplicitRamIsQemusDefaultMemdev) {
  auto o = BackendOptions::implicit_ram(128 * kMiB);
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->id(), "pc.ram");
  EXPECT_EQ(o->type(), BackendType::kRam);
  EXPECT_EQ(o->size(), 128 * kMiB);
  EXPECT_FALSE(o->share());
  EXPECT_EQ(BackendOptions::implicit_ram(0).error().describe(),
            "pc.ram: property 'size' of memory-backend-ram doesn't take value '0'");
}

// --- one test per rule, each asserting the message -----------------------------------

TEST(BackendOptionsRule, QomTypeMissing) {
  auto kv = KeyValues::parse("id=a,size=1M", "-object");
  ASSERT_TRUE(kv.ok());
  EXPECT_EQ(BackendOptions::from_keyvalues(*kv).error().describe(),
            "-object: Parameter 'qom-type' is missing");
}

TEST(BackendOptionsRule, QomTypeNotAMemoryBackend) {
  EXPECT_EQ(options_error("memory-backend-epc,id=a,size=1M"),
            "-object: invalid object type: memory-backend-epc");
}

TEST(BackendOptionsRule, IdMissing) {
  EXPECT_EQ(options_error("memory-backend-ram,size=1M"),
            "-object memory-backend-ram: Parameter 'id' is missing");
}

TEST(BackendOptionsRule, IdNotAnIdentifier) {
  EXPECT_EQ(options_error("memory-backend-ram,id=0mem,size=1M"),
            "-object memory-backend-ram: Parameter 'id' expects an identifier");
  EXPECT_EQ(options_error("memory-backend-ram,id=,size=1M"),
            "-object memory-backend-ram: Parameter 'id' expects an identifier");
}

TEST(BackendOptionsRule, UnknownProperty) {
  EXPECT_EQ(options_error("memory-backend-ram,id=r,size=1M,sise=2M"),
            "r: Property 'memory-backend-ram.sise' not found");
}

TEST(BackendOptionsRule, FilePropertiesOnlyOnFile) {
  EXPECT_EQ(options_error("memory-backend-ram,id=r,size=1M,readonly=on"),
            "r: Property 'memory-backend-ram.readonly' not found");
  EXPECT_EQ(options_error("memory-backend-memfd,id=m,size=1M,mem-path=/tmp"),
            "m: Property 'memory-backend-memfd.mem-path' not found");
}

TEST(BackendOptionsRule, MemfdPropertiesOnlyOnMemfd) {
  EXPECT_EQ(options_error("memory-backend-file,id=f,size=1M,mem-path=x,seal=on"),
            "f: Property 'memory-backend-file.seal' not found");
  EXPECT_EQ(options_error("memory-backend-ram,id=r,size=1M,hugetlb=on"),
            "r: Property 'memory-backend-ram.hugetlb' not found");
}

TEST(BackendOptionsRule, BooleanMustBeOnOrOff) {
  EXPECT_EQ(options_error("memory-backend-ram,id=r,size=1M,share=maybe"),
            "r: Parameter 'share' expects 'on' or 'off'");
}

TEST(BackendOptionsRule, SizeMustBeASize) {
  EXPECT_EQ(options_error("memory-backend-ram,id=r,size=1Q"), "r: Parameter 'size' expects size");
  EXPECT_EQ(options_error("memory-backend-file,id=f,size=1M,mem-path=x,align=big"),
            "f: Parameter 'align' expects size");
}

TEST(BackendOptionsRule, RomIsOnOffAuto) {
  EXPECT_EQ(options_error("memory-backend-file,id=f,size=1M,mem-path=x,rom=yes"),
            "f: Parameter 'rom' does not accept value 'yes'");
}

TEST(BackendOptionsRule, SizeZero) {
  EXPECT_EQ(options_error("memory-backend-file,id=f,size=0,mem-path=x"),
            "f: property 'size' of memory-backend-file doesn't take value '0'");
}

TEST(BackendOptionsRule, SizeMissing) {
  EXPECT_EQ(options_error("memory-backend-memfd,id=m"), "m: can't create backend with size 0");
}

TEST(BackendOptionsRule, MemPathMissing) {
  EXPECT_EQ(options_error("memory-backend-file,id=f,size=1M"), "f: mem-path property not set");
  EXPECT_EQ(options_error("memory-backend-file,id=f,size=1M,mem-path="),
            "f: mem-path property not set");
}

TEST(BackendOptionsRule, PreallocWithReserveOff) {
  EXPECT_EQ(options_error("memory-backend-ram,id=r,size=1M,prealloc=on,reserve=off"),
            "r: 'prealloc=on' and 'reserve=off' are incompatible");
  EXPECT_EQ(options_error("memory-backend-ram,id=r,size=1M,reserve=off,prealloc=on"),
            "r: 'prealloc=on' and 'reserve=off' are incompatible");
}

TEST(BackendOptionsRule, RomOnNeedsReadonly) {
  EXPECT_EQ(options_error("memory-backend-file,id=f,size=1M,mem-path=x,rom=on"),
            "f: property 'rom' = 'on' is not supported with 'readonly' = 'off'");
}

TEST(BackendOptionsRule, RomOffWithReadonlyShared) {
  EXPECT_EQ(
      options_error("memory-backend-file,id=f,size=1M,mem-path=x,readonly=on,share=on,rom=off"),
      "f: property 'rom' = 'off' is incompatible with 'readonly' = 'on' and 'share' = 'on'");
}

TEST(BackendOptionsRule, HugetlbsizeZero) {
  EXPECT_EQ(options_error("memory-backend-memfd,id=m,size=2M,hugetlb=on,hugetlbsize=0"),
            "m: Property 'memory-backend-memfd.hugetlbsize' doesn't take value '0'");
}

TEST(BackendOptionsRule, HugetlbsizeNotAPowerOfTwo) {
  EXPECT_EQ(options_error("memory-backend-memfd,id=m,size=6M,hugetlb=on,hugetlbsize=3M"),
            "m: Hugepage size must be a power of 2");
}

TEST(BackendOptionsRule, HugetlbsizeWithoutHugetlb) {
  EXPECT_EQ(options_error("memory-backend-memfd,id=m,size=2M,hugetlbsize=2M"),
            "m: property 'hugetlbsize' requires 'hugetlb' = 'on'");
}

TEST(BackendOptionsRule, AlignNotAMultipleOfThePageSize) {
  EXPECT_EQ(options_error("memory-backend-file,id=f,size=1M,mem-path=x,align=6K"),
            "f: alignment 0x1800 must be multiples of page size 0x1000");
}

TEST(BackendOptionsRule, AlignNotAPowerOfTwo) {
  EXPECT_EQ(options_error("memory-backend-file,id=f,size=12M,mem-path=x,align=12K"),
            "f: alignment 0x3000 must be a power of two");
}

TEST(BackendOptionsRule, OffsetNotPageAligned) {
  EXPECT_EQ(options_error("memory-backend-file,id=f,size=1M,mem-path=x,offset=100"),
            "f: offset 0x64 must be multiples of page size 0x1000");
}

TEST(BackendOptionsRule, SizeBelowThePageSize) {
  EXPECT_EQ(options_error("memory-backend-ram,id=r,size=1000"),
            "r: memory size 0x3e8 must be equal to or larger than page size 0x1000");
}

TEST(BackendOptionsRule, SizeNotAMultipleOfThePageSize) {
  EXPECT_EQ(options_error("memory-backend-file,id=f,size=5000,mem-path=x"),
            "f: memory size 0x1388 must be a multiple of page size 0x1000");
}

TEST(BackendOptionsRule, SizeNotAMultipleOfTheHugePageSize) {
  EXPECT_EQ(options_error("memory-backend-memfd,id=m,size=3M,hugetlb=on,hugetlbsize=2M"),
            "m: memory size 0x300000 must be a multiple of page size 0x200000");
  EXPECT_EQ(options_error("memory-backend-memfd,id=m,size=1M,hugetlb=on,hugetlbsize=2M"),
            "m: memory size 0x100000 must be equal to or larger than page size 0x200000");
}

TEST(BackendOptionsRule, HugetlbWithoutSizeUsesTheDefaultHugePageSize) {
  if (default_huge_page_size() == 0) {
    GTEST_SKIP() << "no hugetlb support in this kernel";
  }
  auto o = must_parse("memory-backend-memfd,id=m,size=4M,hugetlb=on");
  EXPECT_EQ(o.page_size(), default_huge_page_size());
  EXPECT_EQ(o.memfd_flags() & (MFD_HUGE_MASK << MFD_HUGE_SHIFT), 0U);  // kernel default size
}

TEST(BackendOptionsRule, OffsetPlusSizeBeyondTheLargestFileOffset) {
  EXPECT_EQ(options_error("memory-backend-file,id=f,size=4E,mem-path=x,offset=4E"),
            "f: 'offset' option 0x4000000000000000 plus 'size' option 0x4000000000000000 is "
            "beyond the largest file offset");
}

}  // namespace
}  // namespace mimeo::memory

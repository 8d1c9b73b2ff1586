#include "arch/x86/boot_tables.h"

#include <array>

#include "arch/x86/boot_layout.h"

namespace mimeo::x86 {

namespace {

constexpr uint64_t kPresent = 1ULL << 0;
constexpr uint64_t kWritable = 1ULL << 1;
constexpr uint64_t kLargePage = 1ULL << 7;  // PS: a 2 MiB page in a page directory
constexpr uint64_t kEntriesPerTable = 512;
constexpr uint64_t k2MiB = 2ULL << 20;
constexpr uint64_t k1GiB = 1ULL << 30;
constexpr uint64_t kPageDirectories = kIdentityMappedEnd / k1GiB;  // 4

using PageTable = std::array<uint64_t, kEntriesPerTable>;

}  // namespace

Status write_boot_gdt(const GuestRam& ram) {
  const std::array<uint64_t, kBootGdtEntries> gdt = {0, kGdtCode32, kGdtCode64, kGdtData};
  return ram.write_object(kBootGdtAddr, gdt);
}

Status write_identity_page_tables(const GuestRam& ram) {
  PageTable pml4{};
  pml4[0] = kPdptAddr | kPresent | kWritable;
  MIMEO_TRY(ram.write_object(kPml4Addr, pml4));

  PageTable pdpt{};
  for (uint64_t i = 0; i < kPageDirectories; ++i) {
    pdpt[i] = (kPageDirectoriesAddr + i * kPageSize) | kPresent | kWritable;
  }
  MIMEO_TRY(ram.write_object(kPdptAddr, pdpt));

  for (uint64_t i = 0; i < kPageDirectories; ++i) {
    PageTable directory{};
    for (uint64_t j = 0; j < kEntriesPerTable; ++j) {
      directory[j] = (i * k1GiB + j * k2MiB) | kPresent | kWritable | kLargePage;
    }
    MIMEO_TRY(ram.write_object(kPageDirectoriesAddr + i * kPageSize, directory));
  }
  return {};
}

}  // namespace mimeo::x86

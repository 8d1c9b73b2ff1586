#include "arch/x86/pvh_loader.h"

#include <elf.h>
#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "arch/x86/boot_layout.h"
#include "arch/x86/memory_map.h"
#include "arch/x86/pvh_start_info.h"

namespace mimeo::x86 {

namespace {

constexpr uint64_t k4GiB = 4ULL << 30;

}  // namespace

Result<std::optional<uint32_t>> find_pvh_entry(std::span<const uint8_t> file, const ElfImage& elf) {
  for (const ElfSegment& segment : elf.segments) {
    if (segment.type != PT_NOTE) {
      continue;
    }
    MIMEO_ASSIGN_OR_RETURN(auto notes, parse_elf_notes(file, segment));
    for (const ElfNote& note : notes) {
      if (note.name != "Xen" || note.type != kXenElfnotePhys32Entry) {
        continue;
      }
      uint64_t entry = 0;
      if (note.desc.size() != 4 && note.desc.size() != 8) {
        return make_error(fmt::format("XEN_ELFNOTE_PHYS32_ENTRY note has {} bytes, not 4 or 8",
                                      note.desc.size()));
      }
      std::memcpy(&entry, note.desc.data(), note.desc.size());
      if (entry >= k4GiB) {
        return make_error(fmt::format("PVH entry point {:#x} is above 4 GiB", entry));
      }
      return std::optional<uint32_t>(static_cast<uint32_t>(entry));
    }
  }
  return std::optional<uint32_t>();
}

namespace {

Status write_start_info(const GuestRam& ram, const std::optional<RamRange>& initrd) {
  MIMEO_ASSIGN_OR_RETURN(auto map, build_memory_map(ram.ram));
  std::vector<HvmMemmapEntry> memmap;
  for (const MemoryMapEntry& entry : map) {
    memmap.push_back(HvmMemmapEntry{entry.addr, entry.size, static_cast<uint32_t>(entry.type), 0});
  }
  MIMEO_TRY(ram.write(kPvhMemmapAddr, std::span(reinterpret_cast<const uint8_t*>(memmap.data()),
                                                memmap.size() * sizeof(HvmMemmapEntry))));
  HvmStartInfo info{};
  info.magic = kHvmStartMagic;
  info.version = kHvmStartInfoVersion;
  info.cmdline_paddr = kCmdlineAddr;
  info.memmap_paddr = kPvhMemmapAddr;
  info.memmap_entries = static_cast<uint32_t>(memmap.size());
  if (initrd) {
    info.nr_modules = 1;
    info.modlist_paddr = kPvhModlistAddr;
    MIMEO_TRY(ram.write_object(kPvhModlistAddr, HvmModlistEntry{initrd->gpa, initrd->size, 0, 0}));
  }
  return ram.write_object(kPvhStartInfoAddr, info);
}

}  // namespace

Result<PvhKernel> parse_pvh_elf(std::span<const uint8_t> file) {
  MIMEO_ASSIGN_OR_RETURN(ElfImage elf, parse_elf(file));
  MIMEO_ASSIGN_OR_RETURN(std::optional<uint32_t> entry, find_pvh_entry(file, elf));
  if (!entry) {
    return make_error("ELF has no XEN_ELFNOTE_PHYS32_ENTRY note: not a PVH kernel");
  }
  const bool has_load = std::any_of(elf.segments.begin(), elf.segments.end(),
                                    [](const ElfSegment& s) { return s.type == PT_LOAD; });
  if (!has_load) {
    return make_error("ELF has no PT_LOAD segment");
  }
  const bool entry_loaded =
      std::any_of(elf.segments.begin(), elf.segments.end(), [&](const ElfSegment& s) {
        return s.type == PT_LOAD && *entry >= s.paddr && *entry - s.paddr < s.mem_size;
      });
  if (!entry_loaded) {
    return make_error(fmt::format("PVH entry point {:#x} is not inside a PT_LOAD segment", *entry));
  }
  return PvhKernel{std::move(elf), *entry};
}

Result<PvhBoot> load_pvh_elf(std::span<const uint8_t> file, const BootOptions& options,
                             const GuestRam& ram) {
  MIMEO_ASSIGN_OR_RETURN(PvhKernel kernel, parse_pvh_elf(file));
  MIMEO_TRY(check_boot_data_area(ram));
  // Check every segment before writing any.
  uint64_t kernel_end = 0;
  for (size_t i = 0; i < kernel.elf.segments.size(); ++i) {
    const ElfSegment& segment = kernel.elf.segments[i];
    if (segment.type != PT_LOAD || segment.mem_size == 0) {
      continue;
    }
    MIMEO_TRY(
        check_kernel_range(ram, segment.paddr, segment.mem_size, fmt::format("ELF segment {}", i)));
    kernel_end = std::max(kernel_end, segment.paddr + segment.mem_size);
  }
  for (const ElfSegment& segment : kernel.elf.segments) {
    if (segment.type != PT_LOAD || segment.mem_size == 0) {
      continue;
    }
    MIMEO_TRY(ram.write(segment.paddr, file.subspan(segment.offset, segment.file_size)));
    MIMEO_TRY(
        ram.fill_zero(segment.paddr + segment.file_size, segment.mem_size - segment.file_size));
  }
  MIMEO_TRY(write_cmdline(ram, options.cmdline, kPvhCmdlineMax));
  PvhBoot boot;
  boot.entry = kernel.entry;
  boot.start_info_gpa = kPvhStartInfoAddr;
  boot.kernel_end = kernel_end;
  if (!options.initrd.empty()) {
    MIMEO_ASSIGN_OR_RETURN(
        RamRange initrd, load_initrd(ram, options.initrd, align_up(kernel_end, kPageSize), k4GiB));
    boot.initrd = initrd;
  }
  MIMEO_TRY(write_start_info(ram, boot.initrd));
  return boot;
}

}  // namespace mimeo::x86

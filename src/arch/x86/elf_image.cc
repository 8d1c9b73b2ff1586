#include "arch/x86/elf_image.h"

#include <elf.h>
#include <fmt/format.h>

#include <bit>
#include <cstring>

namespace mimeo::x86 {

static_assert(std::endian::native == std::endian::little, "ELF fields are read in host order");

namespace {

template <class T>
T read_at(std::span<const uint8_t> file, uint64_t offset) {
  T value;
  std::memcpy(&value, file.data() + offset, sizeof(T));
  return value;
}

// True when [offset, offset + size) lies in the file, without overflow.
bool in_file(std::span<const uint8_t> file, uint64_t offset, uint64_t size) {
  return offset <= file.size() && size <= file.size() - offset;
}

template <class Ehdr, class Phdr>
Result<ElfImage> parse_class(std::span<const uint8_t> file) {
  if (file.size() < sizeof(Ehdr)) {
    return make_error(fmt::format("ELF: file of {} bytes is shorter than its header", file.size()));
  }
  const auto ehdr = read_at<Ehdr>(file, 0);
  if (ehdr.e_type != ET_EXEC) {
    return make_error(fmt::format("ELF: type {} is not an executable (ET_EXEC)", ehdr.e_type));
  }
  if (ehdr.e_machine != EM_X86_64 && ehdr.e_machine != EM_386) {
    return make_error(
        fmt::format("ELF: machine {} is not x86 (EM_386 or EM_X86_64)", ehdr.e_machine));
  }
  if (ehdr.e_phnum == 0) {
    return make_error("ELF: no program headers");
  }
  if (ehdr.e_phentsize != sizeof(Phdr)) {
    return make_error(
        fmt::format("ELF: program header size {} is not {}", ehdr.e_phentsize, sizeof(Phdr)));
  }
  const uint64_t table_size = uint64_t{ehdr.e_phnum} * sizeof(Phdr);
  if (!in_file(file, ehdr.e_phoff, table_size)) {
    return make_error(fmt::format(
        "ELF: program header table ({} entries at offset {:#x}) runs past the end of the file "
        "({} bytes)",
        ehdr.e_phnum, uint64_t{ehdr.e_phoff}, file.size()));
  }
  ElfImage image;
  image.is_64bit = sizeof(Ehdr) == sizeof(Elf64_Ehdr);
  image.machine = ehdr.e_machine;
  image.entry = ehdr.e_entry;
  for (uint16_t i = 0; i < ehdr.e_phnum; ++i) {
    const auto phdr = read_at<Phdr>(file, ehdr.e_phoff + uint64_t{i} * sizeof(Phdr));
    ElfSegment segment{phdr.p_type,  phdr.p_offset, phdr.p_filesz,
                       phdr.p_paddr, phdr.p_memsz,  phdr.p_align};
    if (!in_file(file, segment.offset, segment.file_size)) {
      return make_error(fmt::format(
          "ELF: program header {}: {:#x} bytes at offset {:#x} run past the end of the file "
          "({} bytes)",
          i, segment.file_size, segment.offset, file.size()));
    }
    if (segment.file_size > segment.mem_size && segment.type == PT_LOAD) {
      return make_error(
          fmt::format("ELF: program header {}: file size {:#x} exceeds memory size {:#x}", i,
                      segment.file_size, segment.mem_size));
    }
    image.segments.push_back(segment);
  }
  return image;
}

}  // namespace

bool has_elf_magic(std::span<const uint8_t> file) {
  return file.size() >= SELFMAG && std::memcmp(file.data(), ELFMAG, SELFMAG) == 0;
}

Result<ElfImage> parse_elf(std::span<const uint8_t> file) {
  if (!has_elf_magic(file) || file.size() < EI_NIDENT) {
    return make_error("ELF: no ELF magic at the start of the file");
  }
  if (file[EI_DATA] != ELFDATA2LSB) {
    return make_error("ELF: not little-endian");
  }
  if (file[EI_VERSION] != EV_CURRENT) {
    return make_error(fmt::format("ELF: version {} is not 1", file[EI_VERSION]));
  }
  switch (file[EI_CLASS]) {
    case ELFCLASS64: return parse_class<Elf64_Ehdr, Elf64_Phdr>(file);
    case ELFCLASS32: return parse_class<Elf32_Ehdr, Elf32_Phdr>(file);
    default:
      return make_error(fmt::format("ELF: class {} is neither 32 nor 64-bit", file[EI_CLASS]));
  }
}

Result<std::vector<ElfNote>> parse_elf_notes(std::span<const uint8_t> file,
                                             const ElfSegment& segment) {
  // Notes are 4-byte aligned, or 8-byte aligned in segments aligned so.
  const uint64_t align = segment.align == 8 ? 8 : 4;
  const auto pad = [align](uint64_t size) { return (size + align - 1) & ~(align - 1); };
  std::span<const uint8_t> notes = file.subspan(segment.offset, segment.file_size);
  std::vector<ElfNote> result;
  uint64_t at = 0;
  while (at < notes.size()) {
    if (notes.size() - at < 12) {
      return make_error(fmt::format("ELF: note at offset {:#x} is truncated", segment.offset + at));
    }
    const auto name_size = read_at<uint32_t>(notes, at);
    const auto desc_size = read_at<uint32_t>(notes, at + 4);
    const auto type = read_at<uint32_t>(notes, at + 8);
    const uint64_t name_at = at + 12;
    const uint64_t desc_at = name_at + pad(name_size);
    const uint64_t next = desc_at + pad(desc_size);
    if (!in_file(notes, name_at, name_size) || !in_file(notes, desc_at, desc_size)) {
      return make_error(fmt::format("ELF: note at offset {:#x} is truncated", segment.offset + at));
    }
    ElfNote note;
    note.type = type;
    // The name includes its NUL in name_size.
    const char* name = reinterpret_cast<const char*>(notes.data() + name_at);
    note.name = std::string_view(
        name, name_size > 0 && name[name_size - 1] == '\0' ? name_size - 1 : name_size);
    note.desc = notes.subspan(desc_at, desc_size);
    result.push_back(note);
    at = next;
  }
  return result;
}

}  // namespace mimeo::x86

// A bounds-checked view of an ELF executable's program headers and notes. The
// file is untrusted: every offset and size is checked against its length.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace mimeo::x86 {

struct ElfSegment {
  uint32_t type = 0;  // PT_LOAD, PT_NOTE, ...
  uint64_t offset = 0;
  uint64_t file_size = 0;
  uint64_t paddr = 0;
  uint64_t mem_size = 0;
  uint64_t align = 0;
};

struct ElfImage {
  bool is_64bit = false;
  uint16_t machine = 0;  // EM_386 or EM_X86_64
  uint64_t entry = 0;
  // Every program header; for each, [offset, offset + file_size) lies in the
  // file and file_size <= mem_size.
  std::vector<ElfSegment> segments;
};

struct ElfNote {
  std::string_view name;  // without the terminating NUL
  uint32_t type = 0;
  std::span<const uint8_t> desc;
};

// True when the file starts with the ELF magic.
[[nodiscard]] bool has_elf_magic(std::span<const uint8_t> file);

// Checks the ELF header (class 32 or 64, little-endian, version 1, executable,
// x86) and program headers. Errors start with "ELF: ".
Result<ElfImage> parse_elf(std::span<const uint8_t> file);

// The notes of a PT_NOTE segment returned by parse_elf() for the same file.
Result<std::vector<ElfNote>> parse_elf_notes(std::span<const uint8_t> file,
                                             const ElfSegment& segment);

}  // namespace mimeo::x86

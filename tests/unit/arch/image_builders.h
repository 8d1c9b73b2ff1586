// Hand-built kernel images for the loader tests: ELF (32 or 64-bit, with a PVH
// note or without) and bzImage, with every header field under the test's control.
#pragma once

#include <asm/bootparam.h>
#include <elf.h>

#include <cstring>
#include <string>
#include <vector>

namespace mimeo::x86::testing {

struct TestSegment {
  uint32_t type = PT_LOAD;
  uint64_t paddr = 0;
  std::vector<uint8_t> data;
  uint64_t mem_size = 0;  // 0: data.size()
  uint64_t align = 4;
};

// An ELF note: namesz, descsz, type, name padded to 4, desc padded to 4.
inline std::vector<uint8_t> elf_note(const std::string& name, uint32_t type,
                                     const std::vector<uint8_t>& desc) {
  std::vector<uint8_t> note;
  const auto put32 = [&note](uint32_t v) {
    const auto* p = reinterpret_cast<const uint8_t*>(&v);
    note.insert(note.end(), p, p + 4);
  };
  put32(static_cast<uint32_t>(name.size() + 1));
  put32(static_cast<uint32_t>(desc.size()));
  put32(type);
  note.insert(note.end(), name.begin(), name.end());
  note.push_back(0);
  while (note.size() % 4 != 0) note.push_back(0);
  note.insert(note.end(), desc.begin(), desc.end());
  while (note.size() % 4 != 0) note.push_back(0);
  return note;
}

// The XEN_ELFNOTE_PHYS32_ENTRY note with an 8-byte (Linux x86-64) or 4-byte entry.
inline std::vector<uint8_t> pvh_note(uint64_t entry, size_t desc_size = 8) {
  std::vector<uint8_t> desc(desc_size);
  std::memcpy(desc.data(), &entry, std::min<size_t>(desc_size, 8));
  return elf_note("Xen", 18, desc);
}

template <class Ehdr, class Phdr>
std::vector<uint8_t> build_elf(uint16_t machine, const std::vector<TestSegment>& segments,
                               uint64_t entry = 0) {
  std::vector<uint8_t> file(sizeof(Ehdr) + segments.size() * sizeof(Phdr));
  Ehdr ehdr{};
  std::memcpy(ehdr.e_ident, ELFMAG, SELFMAG);
  ehdr.e_ident[EI_CLASS] = sizeof(Ehdr) == sizeof(Elf64_Ehdr) ? ELFCLASS64 : ELFCLASS32;
  ehdr.e_ident[EI_DATA] = ELFDATA2LSB;
  ehdr.e_ident[EI_VERSION] = EV_CURRENT;
  ehdr.e_type = ET_EXEC;
  ehdr.e_machine = machine;
  ehdr.e_version = EV_CURRENT;
  ehdr.e_entry = static_cast<decltype(ehdr.e_entry)>(entry);
  ehdr.e_phoff = sizeof(Ehdr);
  ehdr.e_ehsize = sizeof(Ehdr);
  ehdr.e_phentsize = sizeof(Phdr);
  ehdr.e_phnum = static_cast<uint16_t>(segments.size());
  std::memcpy(file.data(), &ehdr, sizeof(ehdr));
  for (size_t i = 0; i < segments.size(); ++i) {
    const TestSegment& s = segments[i];
    while (file.size() % 16 != 0) file.push_back(0);
    Phdr phdr{};
    phdr.p_type = s.type;
    phdr.p_offset = static_cast<decltype(phdr.p_offset)>(file.size());
    phdr.p_paddr = static_cast<decltype(phdr.p_paddr)>(s.paddr);
    phdr.p_vaddr = phdr.p_paddr;
    phdr.p_filesz = static_cast<decltype(phdr.p_filesz)>(s.data.size());
    phdr.p_memsz = static_cast<decltype(phdr.p_memsz)>(s.mem_size ? s.mem_size : s.data.size());
    phdr.p_align = static_cast<decltype(phdr.p_align)>(s.align);
    file.insert(file.end(), s.data.begin(), s.data.end());
    std::memcpy(file.data() + sizeof(Ehdr) + i * sizeof(Phdr), &phdr, sizeof(phdr));
  }
  return file;
}

inline std::vector<uint8_t> build_elf64(const std::vector<TestSegment>& segments) {
  return build_elf<Elf64_Ehdr, Elf64_Phdr>(EM_X86_64, segments);
}
inline std::vector<uint8_t> build_elf32(const std::vector<TestSegment>& segments) {
  return build_elf<Elf32_Ehdr, Elf32_Phdr>(EM_386, segments);
}

// A PVH kernel: code at 1 MiB (with bss), the note pointing at entry.
inline std::vector<uint8_t> simple_pvh_elf(std::vector<uint8_t> code = {0xf4},
                                           uint64_t bss = 0x1000, uint64_t entry = 0x100000) {
  const uint64_t size = code.size();
  return build_elf64({
      TestSegment{PT_LOAD, 0x100000, std::move(code), size + bss, 0x1000},
      TestSegment{PT_NOTE, 0, pvh_note(entry), 0, 4},
  });
}

struct BzImageSpec {
  uint8_t setup_sects = 4;  // 0 means 4 too
  uint16_t version = 0x020f;
  uint8_t loadflags = 0x01;    // LOADED_HIGH
  uint16_t xloadflags = 0x01;  // XLF_KERNEL_64
  uint64_t pref_address = 0x1000000;
  uint32_t init_size = 0x400000;
  uint32_t cmdline_size = 2047;
  uint32_t initrd_addr_max = 0x7fffffff;
  uint32_t kernel_alignment = 0x200000;
  uint8_t relocatable_kernel = 1;
  uint8_t header_length = 0x6a;  // the byte at 0x201: header ends at 0x202 + this
  std::vector<uint8_t> protected_mode = std::vector<uint8_t>(0x1000, 0x90);
};

inline std::vector<uint8_t> build_bzimage(const BzImageSpec& spec) {
  const size_t sects = spec.setup_sects == 0 ? 4 : spec.setup_sects;
  std::vector<uint8_t> file((sects + 1) * 512, 0);
  setup_header hdr{};
  hdr.setup_sects = spec.setup_sects;
  hdr.syssize = static_cast<uint32_t>(spec.protected_mode.size() / 16);
  hdr.vid_mode = 0xffff;
  hdr.boot_flag = 0xaa55;
  hdr.jump = static_cast<uint16_t>(0xeb | (spec.header_length << 8));
  hdr.header = 0x53726448;
  hdr.version = spec.version;
  hdr.loadflags = spec.loadflags;
  hdr.initrd_addr_max = spec.initrd_addr_max;
  hdr.kernel_alignment = spec.kernel_alignment;
  hdr.relocatable_kernel = spec.relocatable_kernel;
  hdr.min_alignment = 21;
  hdr.xloadflags = spec.xloadflags;
  hdr.cmdline_size = spec.cmdline_size;
  hdr.pref_address = spec.pref_address;
  hdr.init_size = spec.init_size;
  std::memcpy(file.data() + 0x1f1, &hdr, sizeof(hdr));
  file.insert(file.end(), spec.protected_mode.begin(), spec.protected_mode.end());
  return file;
}

}  // namespace mimeo::x86::testing

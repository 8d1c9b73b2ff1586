#include "arch/x86/kernel_format.h"

#include <cstring>

#include "arch/x86/bzimage_loader.h"
#include "arch/x86/elf_image.h"
#include "arch/x86/pvh_loader.h"

namespace mimeo::x86 {

namespace {

constexpr std::string_view kNeither =
    "not a PVH ELF kernel (no XEN_ELFNOTE_PHYS32_ENTRY note) nor a bzImage with a 64-bit entry "
    "point";

// The boot flag at 0x1fe and "HdrS" at 0x202.
bool has_bzimage_signatures(std::span<const uint8_t> image) {
  return image.size() >= 0x206 && image[0x1fe] == 0x55 && image[0x1ff] == 0xaa &&
         std::memcmp(image.data() + 0x202, "HdrS", 4) == 0;
}

}  // namespace

std::string_view kernel_format_name(KernelFormat format) {
  switch (format) {
    case KernelFormat::kPvhElf: return "PVH ELF";
    case KernelFormat::kBzImage64: return "bzImage (64-bit boot protocol)";
  }
  return "unknown";
}

Result<KernelFormat> detect_kernel(std::span<const uint8_t> image) {
  if (has_elf_magic(image)) {
    MIMEO_ASSIGN_OR_RETURN(ElfImage elf, parse_elf(image));
    MIMEO_ASSIGN_OR_RETURN(std::optional<uint32_t> entry, find_pvh_entry(image, elf));
    if (!entry) {
      return make_error(std::string(kNeither));
    }
    MIMEO_TRY(parse_pvh_elf(image));
    return KernelFormat::kPvhElf;
  }
  if (has_bzimage_signatures(image)) {
    MIMEO_TRY(parse_bzimage(image));
    return KernelFormat::kBzImage64;
  }
  return make_error(std::string(kNeither));
}

}  // namespace mimeo::x86

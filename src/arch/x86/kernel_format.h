// Tells which boot path a -kernel image takes.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "base/result.h"

namespace mimeo::x86 {

enum class KernelFormat {
  kPvhElf,     // ELF with XEN_ELFNOTE_PHYS32_ENTRY: 32-bit PVH entry
  kBzImage64,  // bzImage, boot protocol >= 2.12 with XLF_KERNEL_64: 64-bit entry
};

[[nodiscard]] std::string_view kernel_format_name(KernelFormat format);

// An ELF is taken as PVH when it has the note (a malformed ELF gives the ELF
// error); a file with the bzImage signatures gives the bzImage error when it
// does not qualify; anything else: "not a PVH ELF kernel (no
// XEN_ELFNOTE_PHYS32_ENTRY note) nor a bzImage with a 64-bit entry point".
Result<KernelFormat> detect_kernel(std::span<const uint8_t> image);

}  // namespace mimeo::x86

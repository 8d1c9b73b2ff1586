// Loads a Linux bzImage for the 64-bit boot protocol (Documentation/arch/x86/
// boot.rst): the protected-mode part at its preferred address, boot_params
// (the "zero page") with the e820 map, the command line and the initrd.
#pragma once

#include <asm/bootparam.h>

#include <cstdint>
#include <optional>
#include <span>

#include "arch/x86/boot_data.h"
#include "arch/x86/guest_ram.h"
#include "base/result.h"

namespace mimeo::x86 {

inline constexpr uint16_t kMinBootProtocol = 0x020c;  // 2.12: xloadflags
inline constexpr uint64_t kDefaultKernelLoadAddr = 0x100000;

struct BzImage {
  setup_header header{};                    // as in the file
  uint64_t header_end = 0;                  // file offset one past the setup header
  uint64_t setup_size = 0;                  // (setup_sects + 1) * 512: the real-mode part
  std::span<const uint8_t> protected_mode;  // the rest of the file
  uint64_t load_addr = 0;                   // pref_address, or 1 MiB without one
  uint64_t runtime_start = 0;  // load_addr aligned up to kernel_alignment if relocatable
  uint64_t kernel_end = 0;     // max(load_addr + image size, runtime_start + init_size)
};

struct LinuxBoot {
  uint64_t entry = 0;            // load_addr + 0x200, entered in 64-bit mode
  uint64_t boot_params_gpa = 0;  // goes in %rsi
  uint64_t load_addr = 0;
  uint64_t kernel_end = 0;  // BzImage::kernel_end
  std::optional<RamRange> initrd;
};

// Checks the boot sector and setup header: boot flag 0xAA55, "HdrS", protocol
// 2.12 or later, a bzImage (LOADED_HIGH) with the 64-bit entry (XLF_KERNEL_64).
Result<BzImage> parse_bzimage(std::span<const uint8_t> file);

// Loads the kernel and writes boot_params (header copied from the image,
// type_of_loader 0xff, e820 from the RAM, cmd_line_ptr, ramdisk_image/size) at
// kZeroPageAddr. The command line may have at most cmdline_size bytes; the
// initrd goes high, page-aligned, below min(initrd_addr_max + 1, 4 GiB).
Result<LinuxBoot> load_bzimage(std::span<const uint8_t> file, const BootOptions& options,
                               const GuestRam& ram);

}  // namespace mimeo::x86

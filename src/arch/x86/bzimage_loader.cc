#include "arch/x86/bzimage_loader.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstring>

#include "arch/x86/boot_layout.h"
#include "arch/x86/memory_map.h"

namespace mimeo::x86 {

namespace {

constexpr uint64_t kHeaderOffset = offsetof(boot_params, hdr);  // 0x1f1
constexpr uint64_t kSectorSize = 512;
constexpr uint16_t kBootFlag = 0xaa55;
constexpr uint32_t kHdrSMagic = 0x53726448;  // "HdrS"
constexpr uint8_t kLoadedHigh = 0x01;
constexpr uint16_t kXlfKernel64 = 0x01;
constexpr uint8_t kTypeOfLoaderUndefined = 0xff;
constexpr uint64_t k64BitEntryOffset = 0x200;
constexpr uint64_t k4GiB = 4ULL << 30;
// The header must reach init_size (0x260/4) for a 2.12 kernel.
constexpr uint64_t kMinHeaderEnd = kHeaderOffset + offsetof(setup_header, init_size) + 4;
constexpr uint64_t kMaxHeaderEnd = kHeaderOffset + sizeof(setup_header);

std::string protocol_string(uint16_t version) {
  return fmt::format("{}.{:02}", version >> 8, version & 0xff);
}

}  // namespace

Result<BzImage> parse_bzimage(std::span<const uint8_t> file) {
  if (file.size() < kMinHeaderEnd) {
    return make_error(
        fmt::format("bzImage: file of {} bytes is too short for a setup header", file.size()));
  }
  BzImage image;
  std::memcpy(&image.header, file.data() + kHeaderOffset,
              std::min<uint64_t>(kMaxHeaderEnd, file.size()) - kHeaderOffset);
  // The jump at 0x200 says where the header ends (boot.rst: 0x202 + the byte at 0x201).
  image.header_end = std::min<uint64_t>(0x202 + file[0x201], kMaxHeaderEnd);
  setup_header& hdr = image.header;
  if (hdr.boot_flag != kBootFlag) {
    return make_error(
        fmt::format("bzImage: boot flag at 0x1fe is {:#06x}, not 0xaa55", +hdr.boot_flag));
  }
  if (hdr.header != kHdrSMagic) {
    return make_error("bzImage: no \"HdrS\" signature at 0x202 (a pre-2.00 kernel?)");
  }
  if (hdr.version < kMinBootProtocol) {
    return make_error(fmt::format(
        "bzImage: boot protocol {} is older than 2.12, which the 64-bit entry point needs",
        protocol_string(hdr.version)));
  }
  if (image.header_end < kMinHeaderEnd) {
    return make_error(fmt::format("bzImage: setup header ends at {:#x}, before init_size at 0x260",
                                  image.header_end));
  }
  // Bytes past the header's end are not header fields.
  std::memset(reinterpret_cast<uint8_t*>(&hdr) + (image.header_end - kHeaderOffset), 0,
              kMaxHeaderEnd - image.header_end);
  if ((hdr.loadflags & kLoadedHigh) == 0) {
    return make_error("bzImage: LOADED_HIGH is clear: a zImage, which loads below 1 MiB");
  }
  if ((hdr.xloadflags & kXlfKernel64) == 0) {
    return make_error("bzImage: XLF_KERNEL_64 is clear: the kernel has no 64-bit entry point");
  }
  const uint64_t setup_sects = hdr.setup_sects == 0 ? 4 : hdr.setup_sects;
  image.setup_size = (setup_sects + 1) * kSectorSize;
  if (image.setup_size >= file.size()) {
    return make_error(fmt::format(
        "bzImage: the setup code ({} sectors) leaves no protected-mode kernel in the file "
        "({} bytes)",
        setup_sects, file.size()));
  }
  image.protected_mode = file.subspan(image.setup_size);
  const uint64_t syssize_bytes = uint64_t{hdr.syssize} * 16;
  if (syssize_bytes > image.protected_mode.size()) {
    return make_error(fmt::format(
        "bzImage: truncated: syssize says {} bytes of protected-mode kernel, the file has {}",
        syssize_bytes, image.protected_mode.size()));
  }
  image.load_addr = hdr.pref_address != 0 ? hdr.pref_address : kDefaultKernelLoadAddr;
  // boot.rst: a relocatable kernel runs at the load address aligned up to
  // kernel_alignment, and needs init_size bytes from there.
  image.runtime_start = image.load_addr;
  if (hdr.relocatable_kernel != 0 && std::has_single_bit(hdr.kernel_alignment)) {
    image.runtime_start = align_up(image.load_addr, hdr.kernel_alignment);
  }
  image.kernel_end =
      std::max(image.load_addr + image.protected_mode.size(), image.runtime_start + hdr.init_size);
  return image;
}

Result<LinuxBoot> load_bzimage(std::span<const uint8_t> file, const BootOptions& options,
                               const GuestRam& ram) {
  MIMEO_ASSIGN_OR_RETURN(BzImage image, parse_bzimage(file));
  MIMEO_TRY(check_boot_data_area(ram));
  const setup_header& hdr = image.header;
  MIMEO_TRY(check_kernel_range(ram, image.load_addr, image.kernel_end - image.load_addr,
                               fmt::format("kernel (init_size {:#x})", +hdr.init_size)));
  if (image.kernel_end > kIdentityMappedEnd) {
    return make_error(
        fmt::format("kernel [{:#x}, {:#x}) is not below 4 GiB", image.load_addr, image.kernel_end));
  }

  boot_params params{};
  std::memcpy(reinterpret_cast<uint8_t*>(&params) + kHeaderOffset, &image.header,
              image.header_end - kHeaderOffset);
  params.hdr.type_of_loader = kTypeOfLoaderUndefined;
  params.hdr.code32_start = static_cast<uint32_t>(image.load_addr);
  params.hdr.cmd_line_ptr = static_cast<uint32_t>(kCmdlineAddr);
  MIMEO_ASSIGN_OR_RETURN(auto map, build_memory_map(ram.ram));
  params.e820_entries = static_cast<uint8_t>(map.size());
  for (size_t i = 0; i < map.size(); ++i) {
    params.e820_table[i].addr = map[i].addr;
    params.e820_table[i].size = map[i].size;
    params.e820_table[i].type = static_cast<uint32_t>(map[i].type);
  }

  MIMEO_TRY(write_cmdline(ram, options.cmdline, hdr.cmdline_size));
  MIMEO_TRY(ram.write(image.load_addr, image.protected_mode));
  LinuxBoot boot;
  boot.entry = image.load_addr + k64BitEntryOffset;
  boot.boot_params_gpa = kZeroPageAddr;
  boot.load_addr = image.load_addr;
  boot.kernel_end = image.kernel_end;
  if (!options.initrd.empty()) {
    const uint64_t limit = std::min<uint64_t>(uint64_t{hdr.initrd_addr_max} + 1, k4GiB);
    MIMEO_ASSIGN_OR_RETURN(
        RamRange initrd,
        load_initrd(ram, options.initrd, align_up(boot.kernel_end, kPageSize), limit));
    params.hdr.ramdisk_image = static_cast<uint32_t>(initrd.gpa);
    params.hdr.ramdisk_size = static_cast<uint32_t>(initrd.size);
    boot.initrd = initrd;
  }
  MIMEO_TRY(ram.write_object(kZeroPageAddr, params));
  return boot;
}

}  // namespace mimeo::x86

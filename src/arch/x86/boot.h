// One entry point for -kernel: detect the format, load it, and put the boot
// vCPU at its entry.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "arch/x86/boot_data.h"
#include "arch/x86/guest_ram.h"
#include "arch/x86/kernel_format.h"
#include "base/result.h"
#include "kvm/vcpu_fd.h"

namespace mimeo::x86 {

struct KernelBoot {
  KernelFormat format = KernelFormat::kPvhElf;
  uint64_t entry = 0;
  // hvm_start_info (PVH, in %ebx) or boot_params (bzImage, in %rsi).
  uint64_t boot_info_gpa = 0;
  uint64_t kernel_end = 0;
  std::optional<RamRange> initrd;
};

// detect_kernel() then load_pvh_elf() or load_bzimage(). Errors name what is
// wrong with the image; the caller prefixes "-kernel PATH: ".
Result<KernelBoot> load_kernel(std::span<const uint8_t> image, const BootOptions& options,
                               const GuestRam& ram);

// The boot vCPU's registers for `boot`: setup_pvh_entry_state() or
// setup_linux64_entry_state(). Call after setup_common_vcpu_state().
Status setup_boot_vcpu(kvm::VcpuFd& vcpu, const GuestRam& ram, const KernelBoot& boot);

}  // namespace mimeo::x86

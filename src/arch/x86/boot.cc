#include "arch/x86/boot.h"

#include "arch/x86/bzimage_loader.h"
#include "arch/x86/pvh_loader.h"
#include "arch/x86/vcpu_setup.h"

namespace mimeo::x86 {

Result<KernelBoot> load_kernel(std::span<const uint8_t> image, const BootOptions& options,
                               const GuestRam& ram) {
  MIMEO_ASSIGN_OR_RETURN(KernelFormat format, detect_kernel(image));
  KernelBoot boot;
  boot.format = format;
  if (format == KernelFormat::kPvhElf) {
    MIMEO_ASSIGN_OR_RETURN(PvhBoot pvh, load_pvh_elf(image, options, ram));
    boot.entry = pvh.entry;
    boot.boot_info_gpa = pvh.start_info_gpa;
    boot.kernel_end = pvh.kernel_end;
    boot.initrd = pvh.initrd;
  } else {
    MIMEO_ASSIGN_OR_RETURN(LinuxBoot linux_boot, load_bzimage(image, options, ram));
    boot.entry = linux_boot.entry;
    boot.boot_info_gpa = linux_boot.boot_params_gpa;
    boot.kernel_end = linux_boot.kernel_end;
    boot.initrd = linux_boot.initrd;
  }
  return boot;
}

Status setup_boot_vcpu(kvm::VcpuFd& vcpu, const GuestRam& ram, const KernelBoot& boot) {
  if (boot.format == KernelFormat::kPvhElf) {
    return setup_pvh_entry_state(vcpu, ram, boot.entry, boot.boot_info_gpa);
  }
  return setup_linux64_entry_state(vcpu, ram, boot.entry, boot.boot_info_gpa);
}

}  // namespace mimeo::x86

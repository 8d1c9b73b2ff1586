#include "cli/boot_files.h"

#include "arch/x86/kernel_format.h"
#include "base/read_file.h"

namespace mimeo::cli {

Status check_boot_files(const vmm::MachineConfig& config) {
  auto kernel = read_whole_file(config.kernel_path);
  if (!kernel.ok()) {
    return kernel.error().context("-kernel");
  }
  if (auto format = x86::detect_kernel(*kernel); !format.ok()) {
    return format.error().context("-kernel " + config.kernel_path);
  }
  if (!config.initrd_path.empty()) {
    if (auto initrd = open_regular_file(config.initrd_path); !initrd.ok()) {
      return initrd.error().context("-initrd");
    }
  }
  return {};
}

}  // namespace mimeo::cli

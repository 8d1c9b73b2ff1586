#include "cli/boot_files.h"

#include <fcntl.h>
#include <sys/stat.h>

#include "arch/x86/kernel_format.h"
#include "base/read_file.h"
#include "base/unique_fd.h"

namespace mimeo::cli {

namespace {

Status check_readable_file(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) {
    return errno_error("open " + path);
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) {
    return errno_error("stat " + path);
  }
  if (!S_ISREG(st.st_mode)) {
    return make_error(path + " is not a regular file");
  }
  return {};
}

}  // namespace

Status check_boot_files(const vmm::MachineConfig& config) {
  auto kernel = read_whole_file(config.kernel_path);
  if (!kernel.ok()) {
    return kernel.error().context("-kernel");
  }
  if (auto format = x86::detect_kernel(*kernel); !format.ok()) {
    return format.error().context("-kernel " + config.kernel_path);
  }
  if (!config.initrd_path.empty()) {
    if (auto initrd = check_readable_file(config.initrd_path); !initrd.ok()) {
      return initrd.error().context("-initrd");
    }
  }
  return {};
}

}  // namespace mimeo::cli

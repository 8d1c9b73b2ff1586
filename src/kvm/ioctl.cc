#include "kvm/ioctl.h"

#include <sys/ioctl.h>

#include <cerrno>
#include <string>

namespace mimeo::kvm {

Result<int> checked_ioctl(int fd, unsigned long request, void* arg, std::string_view name) {
  int ret = ::ioctl(fd, request, arg);
  if (ret < 0) {
    return errno_error(std::string(name));
  }
  return ret;
}

Result<int> checked_ioctl_value(int fd, unsigned long request, unsigned long arg,
                                std::string_view name) {
  int ret = ::ioctl(fd, request, arg);
  if (ret < 0) {
    return errno_error(std::string(name));
  }
  return ret;
}

}  // namespace mimeo::kvm

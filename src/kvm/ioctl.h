// ioctl() with an Error that names the request on failure.
#pragma once

#include <string_view>

#include "base/result.h"

namespace mimeo::kvm {

// ioctl(fd, request, arg); on failure an Error "NAME" with errno (describe() gives
// "KVM_CREATE_VM: Cannot allocate memory").
Result<int> checked_ioctl(int fd, unsigned long request, void* arg, std::string_view name);
// The same for the ioctls that take their argument by value.
Result<int> checked_ioctl_value(int fd, unsigned long request, unsigned long arg,
                                std::string_view name);

}  // namespace mimeo::kvm

// The one owner of an mmap()ed range: unmaps it once, movable, not copyable.
#pragma once

#include <sys/mman.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>

#include "base/result.h"

namespace mimeo {

class Mapping {
 public:
  Mapping() = default;
  ~Mapping() { reset(); }
  Mapping(const Mapping&) = delete;
  Mapping& operator=(const Mapping&) = delete;
  Mapping(Mapping&& other) noexcept
      : addr_(std::exchange(other.addr_, nullptr)), size_(std::exchange(other.size_, 0)) {}
  Mapping& operator=(Mapping&& other) noexcept {
    if (this != &other) {
      reset();
      addr_ = std::exchange(other.addr_, nullptr);
      size_ = std::exchange(other.size_, 0);
    }
    return *this;
  }

  // mmap(nullptr, size, prot, flags, fd, offset); `what` names the mapping in errors.
  static Result<Mapping> map(size_t size, int prot, int flags, int fd, off_t offset,
                             const std::string& what);
  // Takes ownership of an existing mapping.
  static Mapping adopt(void* addr, size_t size) {
    Mapping m;
    m.addr_ = addr;
    m.size_ = size;
    return m;
  }

  [[nodiscard]] uint8_t* data() const { return static_cast<uint8_t*>(addr_); }
  [[nodiscard]] size_t size() const { return size_; }
  [[nodiscard]] bool valid() const { return addr_ != nullptr; }

  void reset() {
    if (addr_ != nullptr) {
      ::munmap(addr_, size_);
      addr_ = nullptr;
      size_ = 0;
    }
  }

 private:
  void* addr_ = nullptr;
  size_t size_ = 0;
};

}  // namespace mimeo

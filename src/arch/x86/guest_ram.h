// What the boot loaders need of guest memory: where RAM is, and a way to copy
// bytes into it. The VMM adapts memory::GuestMemory to this (its writable RAM
// regions and GuestMemory::write); tests use guest_ram_over() on a host buffer.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <type_traits>
#include <vector>

#include "base/result.h"

namespace mimeo::x86 {

struct RamRange {
  uint64_t gpa = 0;
  uint64_t size = 0;

  [[nodiscard]] uint64_t end() const { return gpa + size; }
  friend bool operator==(const RamRange&, const RamRange&) = default;
};

struct GuestRam {
  // Writable guest RAM in GPA order, not overlapping (ranges may touch).
  std::vector<RamRange> ram;
  // Copies bytes to guest-physical `gpa`; called only for ranges inside `ram`
  // (which may run across touching ranges).
  std::function<Status(uint64_t gpa, std::span<const uint8_t> bytes)> write;

  // True when every byte of [gpa, gpa + len) is RAM (len 0: gpa itself is).
  [[nodiscard]] bool contains(uint64_t gpa, uint64_t len) const;
  // One past the highest RAM byte (0 without RAM).
  [[nodiscard]] uint64_t end() const;
  // Writes `len` zero bytes at `gpa`.
  [[nodiscard]] Status fill_zero(uint64_t gpa, uint64_t len) const;
  // Writes a trivially copyable object at `gpa`.
  template <class T>
  [[nodiscard]] Status write_object(uint64_t gpa, const T& object) const {
    static_assert(std::is_trivially_copyable_v<T>);
    return write(gpa, std::span(reinterpret_cast<const uint8_t*>(&object), sizeof(T)));
  }
};

// Guest RAM [gpa, gpa + buffer.size()) backed by `buffer`, which must outlive
// the result.
[[nodiscard]] GuestRam guest_ram_over(std::span<uint8_t> buffer, uint64_t gpa = 0);

}  // namespace mimeo::x86

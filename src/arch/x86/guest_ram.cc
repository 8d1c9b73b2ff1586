#include "arch/x86/guest_ram.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstring>

namespace mimeo::x86 {

bool GuestRam::contains(uint64_t gpa, uint64_t len) const {
  if (len > UINT64_MAX - gpa) {
    return false;
  }
  uint64_t cursor = gpa;
  const uint64_t end = gpa + len;
  for (const RamRange& range : ram) {
    if (range.gpa <= cursor && cursor < range.end()) {
      cursor = range.end();
      if (cursor >= end) {
        return true;
      }
    }
  }
  return false;
}

uint64_t GuestRam::end() const {
  uint64_t highest = 0;
  for (const RamRange& range : ram) {
    highest = std::max(highest, range.end());
  }
  return highest;
}

Status GuestRam::fill_zero(uint64_t gpa, uint64_t len) const {
  static const std::array<uint8_t, 64 * 1024> kZeros{};
  while (len > 0) {
    const uint64_t chunk = std::min<uint64_t>(len, kZeros.size());
    MIMEO_TRY(write(gpa, std::span(kZeros.data(), chunk)));
    gpa += chunk;
    len -= chunk;
  }
  return {};
}

GuestRam guest_ram_over(std::span<uint8_t> buffer, uint64_t gpa) {
  GuestRam ram;
  ram.ram.push_back(RamRange{gpa, buffer.size()});
  ram.write = [buffer, gpa](uint64_t at, std::span<const uint8_t> bytes) -> Status {
    if (at < gpa || at - gpa > buffer.size() || bytes.size() > buffer.size() - (at - gpa)) {
      return make_error(
          fmt::format("guest write of {} bytes at {:#x} is outside RAM [{:#x}, {:#x})",
                      bytes.size(), at, gpa, gpa + buffer.size()));
    }
    if (!bytes.empty()) {
      std::memcpy(buffer.data() + (at - gpa), bytes.data(), bytes.size());
    }
    return {};
  };
  return ram;
}

}  // namespace mimeo::x86

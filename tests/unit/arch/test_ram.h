// Guest RAM for loader tests: any layout of ranges (even above 4 GiB) without
// allocating it; writes are recorded and read back in order.
#pragma once

#include <cstring>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "arch/x86/guest_ram.h"

namespace mimeo::x86::testing {

class TestRam {
 public:
  explicit TestRam(std::vector<RamRange> ranges) : ranges_(std::move(ranges)) {}

  // A GuestRam view; this TestRam must outlive it.
  GuestRam guest_ram() {
    GuestRam ram;
    ram.ram = ranges_;
    ram.write = [this](uint64_t gpa, std::span<const uint8_t> bytes) -> Status {
      chunks_.emplace_back(gpa, std::vector<uint8_t>(bytes.begin(), bytes.end()));
      return {};
    };
    return ram;
  }

  // The bytes at [gpa, gpa + len): zero where nothing was written.
  std::vector<uint8_t> read(uint64_t gpa, size_t len) const {
    std::vector<uint8_t> out(len, 0);
    for (const auto& [at, bytes] : chunks_) {
      const uint64_t start = std::max(at, gpa);
      const uint64_t end = std::min(at + bytes.size(), gpa + len);
      if (start < end) {
        std::memcpy(out.data() + (start - gpa), bytes.data() + (start - at), end - start);
      }
    }
    return out;
  }

  template <class T>
  T read_object(uint64_t gpa) const {
    T value;
    const auto bytes = read(gpa, sizeof(T));
    std::memcpy(&value, bytes.data(), sizeof(T));
    return value;
  }

  std::string read_string(uint64_t gpa, size_t max) const {
    const auto bytes = read(gpa, max);
    return std::string(reinterpret_cast<const char*>(bytes.data()),
                       strnlen(reinterpret_cast<const char*>(bytes.data()), max));
  }

  // Whether anything was written that touches [gpa, gpa + len).
  bool written(uint64_t gpa, uint64_t len) const {
    for (const auto& [at, bytes] : chunks_) {
      if (at < gpa + len && gpa < at + bytes.size()) {
        return true;
      }
    }
    return false;
  }

 private:
  std::vector<RamRange> ranges_;
  std::vector<std::pair<uint64_t, std::vector<uint8_t>>> chunks_;
};

inline constexpr uint64_t kMiB = 1ULL << 20;
inline constexpr uint64_t kGiB = 1ULL << 30;

}  // namespace mimeo::x86::testing

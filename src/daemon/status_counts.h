// How many HTTP answers the front end sent, by status code (for
// mimeo_http_requests_total). Lock-free: every connection thread counts.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <utility>
#include <vector>

namespace mimeo::daemon {

class StatusCounts {
 public:
  // Codes outside 100..599 are not counted.
  void count(int status) {
    if (status >= kFirst && status < kFirst + static_cast<int>(counts_.size())) {
      counts_[status - kFirst].fetch_add(1, std::memory_order_relaxed);
    }
  }
  // The codes seen so far with their counts, by code.
  [[nodiscard]] std::vector<std::pair<int, uint64_t>> snapshot() const {
    std::vector<std::pair<int, uint64_t>> seen;
    for (size_t i = 0; i < counts_.size(); ++i) {
      if (uint64_t n = counts_[i].load(std::memory_order_relaxed); n != 0) {
        seen.emplace_back(kFirst + static_cast<int>(i), n);
      }
    }
    return seen;
  }

 private:
  static constexpr int kFirst = 100;
  std::array<std::atomic<uint64_t>, 500> counts_{};
};

}  // namespace mimeo::daemon

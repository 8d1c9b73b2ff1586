// The wall clock in whole seconds since the Unix epoch, as the catalog stores
// when templates and clones were made.
#pragma once

#include <chrono>
#include <cstdint>

namespace mimeo::service {

inline int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace mimeo::service

// The daemon's counters and its clone-latency histogram, updated from many
// threads; snapshot() copies them into plain data for a front end to format.
#pragma once

#include <map>
#include <mutex>
#include <string>

#include "service/service_types.h"

namespace mimeo::service {

class MetricsRegistry {
 public:
  MetricsRegistry();

  // A clone was handed out `seconds` after its request arrived.
  void observe_clone_created(double seconds, bool from_pool);
  void count_error(const std::string& kind);

  // Counters and histogram; the caller fills in the gauges (alive, warm, memory).
  [[nodiscard]] MetricsSnapshot snapshot() const;

 private:
  mutable std::mutex mutex_;
  MetricsSnapshot totals_;
};

// Upper bounds of the clone-latency buckets, in seconds: fine below 5 ms,
// where a warm pool answers, coarse above, where a cold start lands.
[[nodiscard]] std::vector<double> clone_latency_buckets();

}  // namespace mimeo::service

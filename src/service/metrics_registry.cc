#include "service/metrics_registry.h"

namespace mimeo::service {

std::vector<double> clone_latency_buckets() {
  return {0.00025, 0.0005, 0.001, 0.002, 0.003, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0};
}

MetricsRegistry::MetricsRegistry() {
  totals_.clone_create_seconds.upper_bounds = clone_latency_buckets();
  totals_.clone_create_seconds.counts.assign(totals_.clone_create_seconds.upper_bounds.size(), 0);
}

void MetricsRegistry::observe_clone_created(double seconds, bool from_pool) {
  std::lock_guard lock(mutex_);
  auto& histogram = totals_.clone_create_seconds;
  for (size_t i = 0; i < histogram.upper_bounds.size(); ++i) {
    if (seconds <= histogram.upper_bounds[i]) {
      ++histogram.counts[i];
    }
  }
  histogram.sum += seconds;
  ++histogram.count;
  ++totals_.clones_created_total;
  ++(from_pool ? totals_.pool_hits_total : totals_.pool_misses_total);
}

void MetricsRegistry::count_error(const std::string& kind) {
  std::lock_guard lock(mutex_);
  ++totals_.errors_total[kind];
}

MetricsSnapshot MetricsRegistry::snapshot() const {
  std::lock_guard lock(mutex_);
  return totals_;
}

}  // namespace mimeo::service

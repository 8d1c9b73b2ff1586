// GET /metrics: the core's MetricsSnapshot and the front end's answer counts
// in the Prometheus text exposition format 0.0.4, with # HELP and # TYPE.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "service/service_types.h"

namespace mimeo::daemon {

inline constexpr const char* kPrometheusContentType = "text/plain; version=0.0.4; charset=utf-8";

[[nodiscard]] std::string render_metrics(
    const service::MetricsSnapshot& metrics,
    const std::vector<std::pair<int, uint64_t>>& http_answers_by_status);

// A label value with '\\', '"' and newlines escaped as the format requires.
[[nodiscard]] std::string escape_label_value(std::string_view value);
// Shortest text that reads back as the same double; "+Inf", "-Inf", "NaN".
[[nodiscard]] std::string prometheus_number(double value);

}  // namespace mimeo::daemon

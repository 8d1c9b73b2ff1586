#include "daemon/prometheus.h"

#include <charconv>
#include <cmath>

namespace mimeo::daemon {

namespace {

class Exposition {
 public:
  void family(std::string_view name, std::string_view type, std::string_view help) {
    text_ += "# HELP " + std::string(name) + " " + std::string(help) + "\n";
    text_ += "# TYPE " + std::string(name) + " " + std::string(type) + "\n";
  }
  // `labels` is "" or already formatted: {kind="private"}
  void sample(std::string_view name, std::string_view labels, std::string_view value) {
    text_ += std::string(name) + std::string(labels) + " " + std::string(value) + "\n";
  }
  void sample(std::string_view name, std::string_view labels, uint64_t value) {
    sample(name, labels, std::to_string(value));
  }
  void gauge(std::string_view name, std::string_view help, uint64_t value) {
    family(name, "gauge", help);
    sample(name, "", value);
  }
  void counter(std::string_view name, std::string_view help, uint64_t value) {
    family(name, "counter", help);
    sample(name, "", value);
  }
  [[nodiscard]] std::string take() { return std::move(text_); }

 private:
  std::string text_;
};

// Appended piece by piece: GCC 12 at -O3 (a Release build) reports a false
// -Wrestrict for "{" + std::string(...) (GCC bug 105329).
std::string label(std::string_view name, std::string_view value) {
  std::string text = "{";
  text.append(name).append("=\"").append(escape_label_value(value)).append("\"}");
  return text;
}

void histogram(Exposition& out, std::string_view name, std::string_view help,
               const service::Histogram& histogram) {
  out.family(name, "histogram", help);
  std::string bucket = std::string(name) + "_bucket";
  for (size_t i = 0; i < histogram.upper_bounds.size() && i < histogram.counts.size(); ++i) {
    out.sample(bucket, label("le", prometheus_number(histogram.upper_bounds[i])),
               histogram.counts[i]);
  }
  out.sample(bucket, label("le", "+Inf"), histogram.count);
  out.sample(std::string(name) + "_sum", "", prometheus_number(histogram.sum));
  out.sample(std::string(name) + "_count", "", histogram.count);
}

}  // namespace

std::string escape_label_value(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string prometheus_number(double value) {
  if (std::isnan(value)) {
    return "NaN";
  }
  if (std::isinf(value)) {
    return value > 0 ? "+Inf" : "-Inf";
  }
  char buffer[32];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  return ec == std::errc() ? std::string(buffer, end) : "NaN";
}

std::string render_metrics(const service::MetricsSnapshot& metrics,
                           const std::vector<std::pair<int, uint64_t>>& http_answers_by_status) {
  Exposition out;
  histogram(out, "mimeo_clone_create_seconds",
            "Time from a clone request to its vCPUs told to run, in seconds.",
            metrics.clone_create_seconds);
  out.gauge("mimeo_clones_alive", "Clones handed out and running or paused.", metrics.clones_alive);
  out.gauge("mimeo_clones_warm", "Clones started and waiting in warm pools.", metrics.clones_warm);
  out.counter("mimeo_clones_created_total", "Clones handed out since the daemon started.",
              metrics.clones_created_total);
  out.counter("mimeo_pool_hits_total", "Clones taken from a warm pool.", metrics.pool_hits_total);
  out.counter("mimeo_pool_misses_total", "Clones started on request (no warm clone was ready).",
              metrics.pool_misses_total);
  out.family("mimeo_clone_memory_bytes", "gauge",
             "Host memory of the clones' processes (alive and warm), from smaps_rollup.");
  out.sample("mimeo_clone_memory_bytes", label("kind", "private"), metrics.memory_private_bytes);
  out.sample("mimeo_clone_memory_bytes", label("kind", "shared"), metrics.memory_shared_bytes);
  out.family("mimeo_errors_total", "counter", "Failures in the daemon, by kind.");
  for (const auto& [kind, count] : metrics.errors_total) {
    out.sample("mimeo_errors_total", label("kind", kind), count);
  }
  out.family("mimeo_http_requests_total", "counter",
             "HTTP requests the REST API answered, by status code.");
  for (const auto& [status, count] : http_answers_by_status) {
    out.sample("mimeo_http_requests_total", label("code", std::to_string(status)), count);
  }
  return out.take();
}

}  // namespace mimeo::daemon

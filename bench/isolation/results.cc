#include "results.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace mimeo::bench {

namespace {

// Nearest-rank percentile of sorted samples.
double percentile(const std::vector<double>& sorted, double p) {
  const auto rank = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(sorted.size())));
  return sorted[std::clamp<size_t>(rank, 1, sorted.size()) - 1];
}

nlohmann::json summary_json(const std::vector<double>& samples) {
  const Summary s = summarize(samples);
  return {
      {"count", s.count}, {"median", s.median}, {"p90", s.p90}, {"max", s.max}, {"mean", s.mean}};
}

std::string ms(const std::vector<double>& samples) {
  const Summary s = summarize(samples);
  if (s.count == 0) {
    return "–";
  }
  return s.count == 1 ? fmt::format("{:.2f}", s.median)
                      : fmt::format("{:.2f} ({:.2f})", s.median, s.p90);
}

}  // namespace

Summary summarize(std::vector<double> samples) {
  Summary s;
  s.count = samples.size();
  if (samples.empty()) {
    return s;
  }
  std::sort(samples.begin(), samples.end());
  s.median = percentile(samples, 50);
  s.p90 = percentile(samples, 90);
  s.max = samples.back();
  s.mean = std::accumulate(samples.begin(), samples.end(), 0.0) / static_cast<double>(s.count);
  return s;
}

nlohmann::json report_json(const BenchReport& report) {
  nlohmann::json j;
  j["host"] = report.host;
  j["rounds"] = nlohmann::json::array();
  for (const auto& round : report.rounds) {
    nlohmann::json r = round;
    r["restore_ms_summary"] = summary_json(round.restore_ms);
    r["start_to_pong_ms_summary"] = summary_json(round.start_to_pong_ms);
    j["rounds"].push_back(r);
  }
  j["cold"] = nlohmann::json::array();
  for (const auto& cold : report.cold) {
    nlohmann::json c = cold;
    c["restore_ms_summary"] = summary_json(cold.restore_ms);
    c["start_to_pong_ms_summary"] = summary_json(cold.start_to_pong_ms);
    c["total_ms_summary"] = summary_json(cold.total_ms);
    j["cold"].push_back(c);
  }
  return j;
}

std::string report_table(const BenchReport& report) {
  const HostFacts& h = report.host;
  std::string out = fmt::format(
      "host: {} CPUs ({}), Linux {}, {}; RLIMIT_NOFILE {}; load average {} before, {} after\n",
      h.cpus, h.cpu_model, h.kernel,
      h.under_hypervisor ? "nested KVM (under a hypervisor)" : "bare-metal KVM", h.open_files_limit,
      h.load_before, h.load_after);
  out +=
      "\nLatency, ms: median (p90)\n\n"
      "| N | model | restore (to warm) | start → pong | bring-up of all N, s |\n"
      "| ---: | --- | ---: | ---: | ---: |\n";
  for (const auto& r : report.rounds) {
    out += fmt::format("| {} | {} | {} | {} | {:.2f} |\n", r.clones, r.model, ms(r.restore_ms),
                       ms(r.start_to_pong_ms), r.bring_up_s);
  }
  out +=
      "\nCost per clone\n\n"
      "| N | model | private KiB, warm | private KiB, after running | of it written | PSS KiB | "
      "threads | fds in the clone's process | fds in the supervisor |\n"
      "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n";
  for (const auto& r : report.rounds) {
    out += fmt::format(
        "| {} | {} | {:.0f} | {:.0f} | {:.0f} | {:.0f} | {:.0f} | {:.0f} | {:.0f} |\n", r.clones,
        r.model, r.warm_private_kib, r.running_private_kib, r.running_private_dirty_kib,
        r.running_pss_kib, r.threads, r.clone_fds, r.supervisor_fds);
  }
  out +=
      "\nA fault in one clone\n\n"
      "| N | model | fault | what it did | others answering a ping after |\n"
      "| ---: | --- | --- | --- | ---: |\n";
  for (const auto& r : report.rounds) {
    out += fmt::format("| {} | {} | {} | {} | {} of {} |\n", r.clones, r.model, r.fault,
                       r.fault_outcome, r.others_answering, r.others);
  }
  if (!report.cold.empty()) {
    out +=
        "\nCold, one clone at a time (nothing pre-started), ms: median (p90)\n\n"
        "| model | clones | restore | start → pong | create or spawn → pong |\n"
        "| --- | ---: | ---: | ---: | ---: |\n";
    for (const auto& c : report.cold) {
      out += fmt::format("| {} | {} | {} | {} | {} |\n", c.model, c.total_ms.size(),
                         ms(c.restore_ms), ms(c.start_to_pong_ms), ms(c.total_ms));
    }
  }
  return out;
}

}  // namespace mimeo::bench

#include "proc_stats.h"

#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace mimeo::bench {

namespace {

std::string proc_dir(pid_t pid) { return pid == 0 ? "/proc/self" : "/proc/" + std::to_string(pid); }

Result<uint64_t> count_entries(const std::string& dir) {
  std::error_code error;
  uint64_t count = 0;
  for (std::filesystem::directory_iterator it(dir, error), end; !error && it != end;
       it.increment(error)) {
    ++count;
  }
  if (error) {
    return make_error("list " + dir + ": " + error.message());
  }
  return count;
}

// "Name:   1234 kB" -> 1234 when the line starts with `name`.
bool field_kib(std::string_view line, std::string_view name, uint64_t& value) {
  if (!line.starts_with(name) || line.size() <= name.size() || line[name.size()] != ':') {
    return false;
  }
  line.remove_prefix(name.size() + 1);
  while (!line.empty() && line.front() == ' ') {
    line.remove_prefix(1);
  }
  uint64_t kib = 0;
  if (std::from_chars(line.data(), line.data() + line.size(), kib).ec != std::errc()) {
    return false;
  }
  value = kib;
  return true;
}

}  // namespace

Result<std::string> read_proc_file(const std::string& path) {
  // Not read_whole_file: a /proc file's size is 0 until it is read.
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in) {
    return make_error("read " + path);
  }
  return text.str();
}

ProcessCost parse_smaps_rollup(std::string_view text) {
  ProcessCost cost;
  uint64_t clean = 0;
  uint64_t& dirty = cost.private_dirty_kib;
  while (!text.empty()) {
    const size_t end = text.find('\n');
    const std::string_view line = text.substr(0, end);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    (void)(field_kib(line, "Private_Clean", clean) || field_kib(line, "Private_Dirty", dirty) ||
           field_kib(line, "Pss", cost.pss_kib));
  }
  cost.private_kib = clean + dirty;
  return cost;
}

Result<ProcessCost> read_process_cost(pid_t pid) {
  const std::string dir = proc_dir(pid);
  MIMEO_ASSIGN_OR_RETURN(std::string text, read_proc_file(dir + "/smaps_rollup"));
  ProcessCost cost = parse_smaps_rollup(text);
  MIMEO_ASSIGN_OR_RETURN(cost.threads, count_entries(dir + "/task"));
  MIMEO_ASSIGN_OR_RETURN(cost.fds, count_entries(dir + "/fd"));
  return cost;
}

}  // namespace mimeo::bench

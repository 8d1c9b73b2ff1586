#include "service/process_rollup.h"

#include <charconv>
#include <fstream>
#include <sstream>
#include <string>

namespace mimeo::service {

MemoryRollup parse_memory_rollup(std::string_view text) {
  MemoryRollup rollup;
  while (!text.empty()) {
    auto newline = text.find('\n');
    std::string_view line = text.substr(0, newline);
    text = newline == std::string_view::npos ? std::string_view() : text.substr(newline + 1);
    auto colon = line.find(':');
    if (colon == std::string_view::npos) {
      continue;
    }
    std::string_view key = line.substr(0, colon);
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') {
      value.remove_prefix(1);
    }
    uint64_t kib = 0;
    if (std::from_chars(value.data(), value.data() + value.size(), kib).ec != std::errc()) {
      continue;
    }
    if (key == "Private_Clean" || key == "Private_Dirty") {
      rollup.private_bytes += kib * 1024;
    } else if (key == "Shared_Clean" || key == "Shared_Dirty") {
      rollup.shared_bytes += kib * 1024;
    }
  }
  return rollup;
}

Result<MemoryRollup> read_memory_rollup(pid_t pid) {
  // A /proc file has no size to read up to (st_size is 0): read it as a stream.
  const std::string path = "/proc/" + std::to_string(pid) + "/smaps_rollup";
  std::ifstream file(path);
  if (!file) {
    return errno_error("open " + path);
  }
  std::stringstream text;
  text << file.rdbuf();
  return parse_memory_rollup(text.str());
}

}  // namespace mimeo::service

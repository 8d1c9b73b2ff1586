#include "cli/process_memory.h"

#include <fstream>
#include <sstream>

namespace mimeo::cli {

Result<ProcessMemory> read_process_memory(pid_t pid, const std::string& guest_file) {
  const std::string path = "/proc/" + std::to_string(pid) + "/smaps";
  std::ifstream smaps(path);
  if (!smaps) {
    return errno_error("open " + path);
  }
  ProcessMemory m;
  bool in_guest_mapping = false;
  std::string line;
  while (std::getline(smaps, line)) {
    std::istringstream words(line);
    std::string first;
    words >> first;
    if (!first.empty() && first.back() != ':') {
      // A mapping's header: "start-end perms offset dev inode [path]".
      std::string perms, offset, dev, inode, file;
      words >> perms >> offset >> dev >> inode >> file;
      in_guest_mapping = !guest_file.empty() && file == guest_file;
      continue;
    }
    uint64_t kib = 0;
    words >> kib;
    if (first == "Rss:") {
      m.rss_kib += kib;
    } else if (first == "Pss:") {
      m.pss_kib += kib;
    } else if (first == "Private_Clean:" || first == "Private_Dirty:") {
      m.private_kib += kib;
    } else if (first == "Anonymous:") {
      m.anonymous_kib += kib;
      if (in_guest_mapping) {
        m.guest_written_kib += kib;
      }
    }
  }
  return m;
}

}  // namespace mimeo::cli

#include "memory/page_size.h"

#include <linux/magic.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

namespace mimeo::memory {

namespace {

uint64_t page_size_of(const struct statfs& fs) {
  if (fs.f_type == HUGETLBFS_MAGIC) {
    return static_cast<uint64_t>(fs.f_bsize);
  }
  return host_page_size();
}

}  // namespace

uint64_t host_page_size() { return static_cast<uint64_t>(::sysconf(_SC_PAGESIZE)); }

uint64_t default_huge_page_size() {
  std::ifstream meminfo("/proc/meminfo");
  std::string line;
  while (std::getline(meminfo, line)) {
    if (line.rfind("Hugepagesize:", 0) == 0) {
      std::istringstream fields(line.substr(13));
      uint64_t kib = 0;
      fields >> kib;
      return kib * kKiB;
    }
  }
  return 0;
}

uint64_t fd_page_size(int fd) {
  struct statfs fs {};
  if (::fstatfs(fd, &fs) != 0) {
    return host_page_size();
  }
  return page_size_of(fs);
}

uint64_t path_page_size(const std::string& path) {
  struct statfs fs {};
  if (::statfs(path.c_str(), &fs) == 0) {
    return page_size_of(fs);
  }
  auto slash = path.find_last_of('/');
  std::string dir = slash == std::string::npos ? "." : path.substr(0, slash == 0 ? 1 : slash);
  if (::statfs(dir.c_str(), &fs) == 0) {
    return page_size_of(fs);
  }
  return host_page_size();
}

}  // namespace mimeo::memory

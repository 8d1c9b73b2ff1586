// Helpers for the memory tests: a temporary directory, option parsing, file access
// through plain system calls, and what /proc says about a mapping.
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "base/keyval.h"
#include "memory/backend.h"
#include "memory/backend_options.h"

namespace mimeo::memory::testing {

class TempDir {
 public:
  explicit TempDir(const char* base = "/tmp") {
    std::string tmpl = std::string(base) + "/mimeo-memory-test.XXXXXX";
    path_ = ::mkdtemp(tmpl.data());
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  [[nodiscard]] const std::string& path() const { return path_; }
  [[nodiscard]] std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

inline Result<BackendOptions> parse_options(const std::string& text) {
  auto kv = KeyValues::parse(text, "-object", "qom-type");
  if (!kv.ok()) {
    return kv.error();
  }
  return BackendOptions::from_keyvalues(*kv);
}

// The error message of options that must be refused.
inline std::string options_error(const std::string& text) {
  auto o = parse_options(text);
  if (o.ok()) {
    return "(accepted)";
  }
  return o.error().describe();
}

inline Backend create_backend(const std::string& text, const ProgressFn& progress = {}) {
  auto o = parse_options(text);
  EXPECT_TRUE(o.ok()) << o.error().describe();
  auto b = Backend::create(*o, progress);
  EXPECT_TRUE(b.ok()) << b.error().describe();
  return std::move(b).value();
}

inline std::string backend_error(const std::string& text) {
  auto o = parse_options(text);
  if (!o.ok()) {
    return "options refused: " + o.error().describe();
  }
  auto b = Backend::create(*o);
  if (b.ok()) {
    return "(created)";
  }
  return b.error().describe();
}

// The whole file, read with read(2) (not through any mapping).
inline std::string read_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  EXPECT_GE(fd, 0) << path;
  std::string data;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) {
      break;
    }
    data.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return data;
}

inline void write_file(const std::string& path, const std::string& data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << data;
}

inline uint64_t file_size(const std::string& path) { return std::filesystem::file_size(path); }

// A pattern that differs from page to page, so offsets are checked too.
inline std::string pattern(size_t size, char seed) {
  std::string s(size, '\0');
  for (size_t i = 0; i < size; ++i) {
    s[i] = static_cast<char>(seed + (i / 4096) * 7 + (i % 251));
  }
  return s;
}

// The /proc/self/maps line of the mapping starting at `addr`: "start-end perms ...".
inline std::string maps_line(const void* addr) {
  std::ifstream maps("/proc/self/maps");
  std::string line;
  std::ostringstream prefix;
  prefix << std::hex << reinterpret_cast<uintptr_t>(addr) << "-";
  while (std::getline(maps, line)) {
    if (line.rfind(prefix.str(), 0) == 0) {
      return line;
    }
  }
  return {};
}

inline std::string maps_perms(const void* addr) {
  std::string line = maps_line(addr);
  auto space = line.find(' ');
  return space == std::string::npos ? std::string() : line.substr(space + 1, 4);
}

// The value of field `name` ("Rss", "VmFlags", ...) of the mapping starting at `addr`
// in /proc/self/smaps, or "" when there is none.
inline std::string smaps_field(const void* addr, const std::string& name) {
  std::ifstream smaps("/proc/self/smaps");
  std::string line;
  std::ostringstream prefix;
  prefix << std::hex << reinterpret_cast<uintptr_t>(addr) << "-";
  bool in_mapping = false;
  while (std::getline(smaps, line)) {
    std::string first = line.substr(0, line.find(' '));
    bool header = first.find('-') != std::string::npos &&
                  first.find_first_not_of("0123456789abcdef-") == std::string::npos;
    if (header) {
      in_mapping = line.rfind(prefix.str(), 0) == 0;
    } else if (in_mapping && line.rfind(name + ":", 0) == 0) {
      return line.substr(name.size() + 1);
    }
  }
  return {};
}

// The VmFlags of the mapping at `addr`, with a space after each ("rd wr mr ... ").
inline std::string vm_flags(const void* addr) { return smaps_field(addr, "VmFlags") + " "; }

// A "<n> kB" field of smaps in bytes.
inline uint64_t smaps_bytes(const void* addr, const std::string& name) {
  std::string value = smaps_field(addr, name);
  return value.empty() ? 0 : std::stoull(value) * 1024;
}

// Pages of [addr, addr+size) that are resident, by mincore(2).
inline uint64_t resident_pages(const uint8_t* addr, uint64_t size) {
  const uint64_t page = static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
  std::vector<unsigned char> vec((size + page - 1) / page);
  if (::mincore(const_cast<uint8_t*>(addr), size, vec.data()) != 0) {
    return 0;
  }
  uint64_t n = 0;
  for (unsigned char v : vec) {
    n += v & 1;
  }
  return n;
}

}  // namespace mimeo::memory::testing

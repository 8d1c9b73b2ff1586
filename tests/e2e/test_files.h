// Files the e2e tests create and inspect: a temporary directory, the state of a
// file (to prove mimeo created, truncated or grew nothing), hashes and qwords.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <ostream>
#include <string>

#include "common/temp_dir.h"

namespace mimeo::e2e {

// A fresh directory under /tmp, removed with everything in it at the end.
using TempDir = mimeo::testing::TempDir;

struct FileState {
  bool exists = false;
  uint64_t size = 0;
  mode_t mode = 0;
  int64_t mtime_ns = 0;
  ino_t inode = 0;

  bool operator==(const FileState&) const = default;
};
void PrintTo(const FileState& state, std::ostream* os);

[[nodiscard]] FileState file_state(const std::string& path);
// Every entry of `dir` (not recursive) by name.
[[nodiscard]] std::map<std::string, FileState> directory_state(const std::string& dir);

void write_text(const std::string& path, const std::string& text);
[[nodiscard]] std::string read_text(const std::string& path);
// XXH3-64 of the whole file (0 if it cannot be read).
[[nodiscard]] uint64_t file_hash(const std::string& path);
// The little-endian qword at `offset`, as the guest stored it.
[[nodiscard]] uint64_t read_qword(const std::string& path, uint64_t offset);
void write_qword(const std::string& path, uint64_t offset, uint64_t value);
// Polls until the file contains `text`.
bool wait_for_text(const std::string& path, const std::string& text,
                   std::chrono::milliseconds timeout);

}  // namespace mimeo::e2e

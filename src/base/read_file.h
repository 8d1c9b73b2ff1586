#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "base/result.h"
#include "base/unique_fd.h"

namespace mimeo {

// A regular file opened read-only, and its size when it was opened.
struct RegularFile {
  UniqueFd fd;
  uint64_t size = 0;
};

// Opens `path` for reading; errors name the path ("open PATH: No such file or
// directory", "stat PATH: ...", "PATH is not a regular file").
[[nodiscard]] Result<RegularFile> open_regular_file(const std::string& path);

// Reads `out.size()` bytes of `fd` from `offset` (pread: the file offset is left alone),
// again after EINTR and after a short read. Returns the count read, fewer than asked only
// at the end of the file. Errors are "read PATH: strerror".
[[nodiscard]] Result<size_t> read_at(int fd, uint64_t offset, std::span<uint8_t> out,
                                     const std::string& path);

// The whole content of a regular file; errors name the path ("open PATH: No
// such file or directory", "PATH is not a regular file").
[[nodiscard]] Result<std::vector<uint8_t>> read_whole_file(const std::string& path);

}  // namespace mimeo

// Opening mem-path for memory-backend-file like QEMU's file_ram_open(): an existing
// file is used, a missing one is created (never with readonly=on), and a directory
// gets an unlinked temporary file inside it.
#pragma once

#include <cstdint>
#include <string>

#include "base/result.h"
#include "base/unique_fd.h"
#include "memory/backend_options.h"

namespace mimeo::memory {

class BackingFile {
 public:
  // Opens options.mem_path() (a memory-backend-file). Errors name the path and errno.
  static Result<BackingFile> open(const BackendOptions& options);
  ~BackingFile();
  BackingFile(BackingFile&& other) noexcept;
  BackingFile& operator=(BackingFile&&) = delete;
  BackingFile(const BackingFile&) = delete;
  BackingFile& operator=(const BackingFile&) = delete;

  [[nodiscard]] int fd() const { return fd_.get(); }
  // True when open() created mem-path; until keep() it is removed again on
  // destruction, as QEMU unlinks a file it created when the backend fails.
  [[nodiscard]] bool created() const { return !created_path_.empty(); }
  // Sizes the file for the backend: a file longer than offset+size is used as it is
  // (never truncated); an empty file is grown to offset+size (not with readonly=on);
  // any other size is refused, as qemu_ram_alloc_from_fd().
  Status fit(const BackendOptions& options);
  // The file becomes the backend's; it stays when this object goes.
  UniqueFd keep();

 private:
  BackingFile(UniqueFd fd, std::string created_path)
      : fd_(std::move(fd)), created_path_(std::move(created_path)) {}

  UniqueFd fd_;
  std::string created_path_;
};

}  // namespace mimeo::memory

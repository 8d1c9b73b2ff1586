// One memory backend with its memory mapped: the file or memfd it owns and the host
// mapping of its `size` bytes, set up as QEMU's host_memory_backend_memory_complete().
#pragma once

#include <cstdint>
#include <string>

#include "base/mapping.h"
#include "base/result.h"
#include "base/unique_fd.h"
#include "memory/backend_options.h"
#include "memory/prealloc.h"

namespace mimeo::memory {

class Backend {
 public:
  // Opens or creates the file (memory-backend-file) or memfd, maps it with the
  // options' prot/flags at an address aligned to options.host_alignment(), applies
  // merge/dump advice and, with prealloc=on, populates every page, reporting
  // progress(done, total) after each chunk. Fails with one line naming the backend
  // id, the path and errno; a file it created is removed again on failure.
  static Result<Backend> create(const BackendOptions& options, const ProgressFn& progress = {});

  // With discard-data=on (share=on, readonly=off) gives the file's pages back first.
  ~Backend();
  Backend(Backend&& other) noexcept = default;
  Backend& operator=(Backend&& other) noexcept;
  Backend(const Backend&) = delete;
  Backend& operator=(const Backend&) = delete;

  [[nodiscard]] const std::string& id() const { return options_.id(); }
  [[nodiscard]] uint64_t size() const { return options_.size(); }
  [[nodiscard]] uint8_t* host() const { return mapping_.data(); }
  // The file or memfd, -1 for memory-backend-ram.
  [[nodiscard]] int fd() const { return fd_.get(); }
  [[nodiscard]] const BackendOptions& options() const { return options_; }
  [[nodiscard]] bool guest_readonly() const { return options_.guest_readonly(); }

 private:
  Backend(BackendOptions options, UniqueFd fd, Mapping mapping)
      : options_(std::move(options)), fd_(std::move(fd)), mapping_(std::move(mapping)) {}
  void discard_data();

  BackendOptions options_;
  UniqueFd fd_;
  Mapping mapping_;  // the memory and the guard page after it
};

}  // namespace mimeo::memory

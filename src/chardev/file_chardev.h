// -chardev file,path=PATH[,append=on] / -serial file:PATH: guest output to a file, no input.
// Opened as QEMU does: created if missing (mode 0666 minus umask), truncated unless append.
#pragma once

#include <memory>
#include <mutex>

#include "base/unique_fd.h"
#include "chardev/chardev.h"

namespace mimeo::chardev {

class FileChardev final : public Chardev {
 public:
  // Fails naming the path and errno.
  static Result<std::unique_ptr<FileChardev>> open(std::string id, std::string path, bool append);

  // Writes through at once (no buffering), so the file is complete if the VMM is killed.
  // A failed write (disk full) is reported once on stderr and later output dropped.
  void write(std::span<const uint8_t> bytes) override;
  [[nodiscard]] std::string describe() const override;

 protected:
  Status begin_input(InputHandler /*on_input*/, InputRoom /*room*/) override { return {}; }

 private:
  FileChardev(std::string id, std::string path, bool append, UniqueFd fd);

  std::string path_;
  bool append_;
  std::mutex mutex_;
  UniqueFd fd_;
  bool failed_ = false;
};

}  // namespace mimeo::chardev

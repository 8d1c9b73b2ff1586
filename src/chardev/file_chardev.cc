#include "chardev/file_chardev.h"

#include <fcntl.h>

#include <cstdio>

#include "chardev/fd_write.h"

namespace mimeo::chardev {

Result<std::unique_ptr<FileChardev>> FileChardev::open(std::string id, std::string path,
                                                       bool append) {
  int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : O_TRUNC);
  int fd = ::open(path.c_str(), flags, 0666);
  if (fd < 0) {
    return errno_error("open " + path);
  }
  return std::unique_ptr<FileChardev>(
      new FileChardev(std::move(id), std::move(path), append, UniqueFd(fd)));
}

FileChardev::FileChardev(std::string id, std::string path, bool append, UniqueFd fd)
    : Chardev(std::move(id)), path_(std::move(path)), append_(append), fd_(std::move(fd)) {}

void FileChardev::write(std::span<const uint8_t> bytes) {
  std::lock_guard lock(mutex_);
  if (failed_) {
    return;
  }
  auto written = write_all(fd_.get(), bytes);
  if (!written.ok()) {
    failed_ = true;
    std::fprintf(stderr, "mimeo: chardev %s: %s; further output is dropped\n", describe().c_str(),
                 written.error().context(path_).describe().c_str());
  }
}

std::string FileChardev::describe() const {
  return "file:" + path_ + (append_ ? ",append=on" : "");
}

}  // namespace mimeo::chardev

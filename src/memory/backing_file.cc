#include "memory/backing_file.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

#include "memory/backend_options_parser.h"

namespace mimeo::memory {

namespace {

std::string cant_open(const std::string& path) {
  return "can't open backing store " + path + " for guest RAM";
}

// QEMU's hint for a private mapping of a file that only opens read-only
// (qemu_ram_alloc_from_file()), on the same line.
bool opens_read_only(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  return fd.valid();
}

// An unlinked file in directory `dir`, named after the backend like QEMU's
// "qemu_back_mem.<id>.XXXXXX", so nothing stays behind in the directory.
Result<UniqueFd> open_temp_in(const std::string& dir, const BackendOptions& o) {
  std::string name = dir + "/mimeo_back_mem." + o.id() + ".XXXXXX";
  int fd = ::mkostemp(name.data(), O_CLOEXEC);
  if (fd < 0) {
    return errno_error(o.id() + ": " + cant_open(dir));
  }
  ::unlink(name.c_str());
  return UniqueFd(fd);
}

}  // namespace

Result<BackingFile> BackingFile::open(const BackendOptions& o) {
  const std::string& path = o.mem_path();
  for (;;) {
    int fd = ::open(path.c_str(), o.readonly() ? O_RDONLY | O_CLOEXEC : O_RDWR | O_CLOEXEC);
    if (fd >= 0) {
      UniqueFd owned(fd);
      // open(O_RDONLY) succeeds on a directory; QEMU refuses it like a missing file,
      // since a temporary file would have to be opened for writing.
      struct stat st {};
      if (o.readonly() && ::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        return errno_error(o.id() + ": " + cant_open(path), EISDIR);
      }
      return BackingFile(std::move(owned), {});
    }
    int err = errno;
    if (err == ENOENT && !o.readonly()) {
      fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
      if (fd >= 0) {
        return BackingFile(UniqueFd(fd), path);
      }
      err = errno;
    } else if (err == EISDIR && !o.readonly()) {
      MIMEO_ASSIGN_OR_RETURN(UniqueFd temp, open_temp_in(path, o));
      return BackingFile(std::move(temp), {});
    }
    if (err == EEXIST || err == EINTR) {
      continue;  // created by someone else between our two open()s, or interrupted
    }
    if (err == EACCES && !o.readonly() && !o.share() && opens_read_only(path)) {
      return errno_error(o.id() + ": " + cant_open(path) +
                             " (consider opening the backing store read-only but still "
                             "creating writable RAM using '-object "
                             "memory-backend-file,readonly=on,rom=off...', see \"VM "
                             "templating\" documentation)",
                         err);
    }
    return errno_error(o.id() + ": " + cant_open(path), err);
  }
}

BackingFile::~BackingFile() {
  if (!created_path_.empty()) {
    ::unlink(created_path_.c_str());
  }
}

BackingFile::BackingFile(BackingFile&& other) noexcept
    : fd_(std::move(other.fd_)), created_path_(std::exchange(other.created_path_, {})) {}

Status BackingFile::fit(const BackendOptions& o) {
  const std::string& path = o.mem_path();
  off_t end = ::lseek(fd_.get(), 0, SEEK_END);
  if (end < 0) {
    return errno_error(o.id() + ": can't get the size of backing store " + path);
  }
  const auto file_size = static_cast<uint64_t>(end);
  const uint64_t needed = o.offset() + o.size();
  if (file_size >= needed) {
    return {};
  }
  if (file_size != 0 || o.readonly()) {
    return backend_error(
        o.id(), fmt::format("backing store {} size {:#x} is too small for 'size' option {:#x} "
                            "plus 'offset' option {:#x}",
                            path, file_size, o.size(), o.offset()));
  }
  // QEMU only perror()s a failed ftruncate; mimeo stops, since the guest would
  // otherwise take SIGBUS on the first access past the end of the file.
  if (::ftruncate(fd_.get(), static_cast<off_t>(needed)) != 0) {
    return errno_error(
        fmt::format("{}: can't grow backing store {} to {:#x} bytes", o.id(), path, needed));
  }
  return {};
}

UniqueFd BackingFile::keep() {
  created_path_.clear();
  return std::move(fd_);
}

}  // namespace mimeo::memory

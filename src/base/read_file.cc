#include "base/read_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace mimeo {

Result<RegularFile> open_regular_file(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) {
    return errno_error("open " + path);
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) {
    return errno_error("stat " + path);
  }
  if (!S_ISREG(st.st_mode)) {
    return make_error(path + " is not a regular file");
  }
  return RegularFile{std::move(fd), static_cast<uint64_t>(st.st_size)};
}

Result<size_t> read_at(int fd, uint64_t offset, std::span<uint8_t> out, const std::string& path) {
  size_t done = 0;
  while (done < out.size()) {
    ssize_t n =
        ::pread(fd, out.data() + done, out.size() - done, static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return errno_error("read " + path);
    }
    if (n == 0) {
      break;  // end of file
    }
    done += static_cast<size_t>(n);
  }
  return done;
}

Result<std::vector<uint8_t>> read_whole_file(const std::string& path) {
  MIMEO_ASSIGN_OR_RETURN(auto file, open_regular_file(path));
  std::vector<uint8_t> data(static_cast<size_t>(file.size));
  MIMEO_ASSIGN_OR_RETURN(size_t done, read_at(file.fd.get(), 0, data, path));
  data.resize(done);  // fewer when the file shrank while being read
  return data;
}

}  // namespace mimeo

#include "base/read_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/unique_fd.h"

namespace mimeo {

Result<std::vector<uint8_t>> read_whole_file(const std::string& path) {
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
  std::vector<uint8_t> data(static_cast<size_t>(st.st_size));
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::read(fd.get(), data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return errno_error("read " + path);
    }
    if (n == 0) {
      data.resize(done);  // the file shrank while being read
      break;
    }
    done += static_cast<size_t>(n);
  }
  return data;
}

}  // namespace mimeo

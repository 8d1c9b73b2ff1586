#include "snapshot/stream_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <vector>

#include "base/unique_fd.h"
#include "snapshot/byte_sink.h"
#include "snapshot/stream_decoder.h"
#include "snapshot/stream_encoder.h"

namespace mimeo::snapshot {
namespace {

std::string directory_of(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos) {
    return ".";
  }
  return slash == 0 ? "/" : path.substr(0, slash);
}

Status fsync_directory(const std::string& dir) {
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd) {
    return errno_error("open directory " + dir);
  }
  if (::fsync(fd.get()) != 0) {
    return errno_error("fsync directory " + dir);
  }
  return {};
}

}  // namespace

Status write_file_atomically(const std::string& path,
                             const std::function<Status(int fd)>& write_contents) {
  std::string temp = path + ".tmp.XXXXXX";
  std::vector<char> name(temp.begin(), temp.end());
  name.push_back('\0');
  UniqueFd fd(::mkostemp(name.data(), O_CLOEXEC));
  if (!fd) {
    return errno_error("create a temporary file next to " + path);
  }
  temp.assign(name.data());
  Status written = write_contents(fd.get());
  if (written.ok() && ::fsync(fd.get()) != 0) {
    written = errno_error("fsync " + temp);
  }
  if (written.ok() && ::close(fd.release()) != 0) {
    written = errno_error("close " + temp);
  }
  if (written.ok() && ::rename(temp.c_str(), path.c_str()) != 0) {
    written = errno_error("rename " + temp + " to " + path);
  }
  if (!written.ok()) {
    ::unlink(temp.c_str());
    return written;
  }
  return fsync_directory(directory_of(path));
}

Status write_stream_file(const std::string& path, const StateStream& stream) {
  return write_file_atomically(path, [&](int fd) {
    FdSink sink(fd, path);
    return write_stream(stream, sink);
  });
}

Result<StreamFile> read_stream_file(const std::string& path) {
  const std::string context = "state stream " + path;
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) {
    return errno_error("open " + path).context(context);
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) {
    return errno_error("stat " + path).context(context);
  }
  if (!S_ISREG(st.st_mode)) {
    return make_error("not a regular file").context(context);
  }
  Mapping mapping;
  std::span<const uint8_t> bytes;
  if (st.st_size > 0) {
    // A file truncated by someone else while mapped would raise SIGBUS; streams are
    // written atomically, so a stream being read is never rewritten in place.
    MIMEO_ASSIGN_OR_RETURN(mapping, Mapping::map(static_cast<size_t>(st.st_size), PROT_READ,
                                                 MAP_PRIVATE, fd.get(), 0, path));
    bytes = {mapping.data(), mapping.size()};
  }
  auto decoded = decode(bytes);
  if (!decoded.ok()) {
    // decode() says "state stream: ..."; name the file instead.
    std::string message = decoded.error().message;
    const std::string prefix = "state stream: ";
    if (message.rfind(prefix, 0) == 0) {
      message.erase(0, prefix.size());
    }
    return make_error(message).context(context);
  }
  return StreamFile(std::move(mapping), std::move(decoded).value());
}

}  // namespace mimeo::snapshot

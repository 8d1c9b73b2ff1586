#include "chardev/unix_socket.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

namespace mimeo::chardev {

namespace {

Result<sockaddr_un> make_address(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.empty()) {
    return make_error("unix socket: empty path");
  }
  if (path.size() >= sizeof addr.sun_path) {
    return make_error("unix socket " + path + ": path is " + std::to_string(path.size()) +
                      " bytes long, the limit is " + std::to_string(sizeof addr.sun_path - 1));
  }
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  return addr;
}

Result<UniqueFd> new_socket(int flags) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | flags, 0);
  if (fd < 0) {
    return errno_error("socket(AF_UNIX)");
  }
  return UniqueFd(fd);
}

// 0 when a non-blocking connect reached a listener (EAGAIN: its backlog is
// full, which still means it listens), else the connect's errno.
int probe(const sockaddr_un& addr) {
  auto fd = new_socket(SOCK_NONBLOCK);
  if (!fd.ok()) {
    return fd.error().err;
  }
  if (::connect(fd->get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0 ||
      errno == EAGAIN) {
    return 0;
  }
  return errno;
}

// Makes room for a new socket at `path`: nothing there, or a socket nobody listens on.
Status clear_stale_socket(const std::string& path, const sockaddr_un& addr) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) {
      return {};
    }
    return errno_error("stat " + path);
  }
  if (!S_ISSOCK(st.st_mode)) {
    return make_error(path + " exists and is not a socket; refusing to replace it");
  }
  const int answered = probe(addr);
  if (answered == 0) {
    return make_error(path + " is a socket another process is listening on");
  }
  if (answered != ECONNREFUSED) {
    return errno_error("connect " + path + " (checking for a stale socket)", answered);
  }
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    return errno_error("unlink stale socket " + path);
  }
  return {};
}

}  // namespace

Result<UnixListener> UnixListener::create(const std::string& path, int backlog) {
  MIMEO_ASSIGN_OR_RETURN(sockaddr_un addr, make_address(path));
  MIMEO_TRY(clear_stale_socket(path, addr));
  MIMEO_ASSIGN_OR_RETURN(UniqueFd fd, new_socket(SOCK_NONBLOCK));
  // Linux gives the socket file the mode of the socket's inode (minus the umask), so this
  // makes it owner-only from the moment it appears, without touching the process umask.
  if (::fchmod(fd.get(), 0600) != 0) {
    return errno_error("fchmod socket for " + path);
  }
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    return errno_error("bind " + path);
  }
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    int err = errno;
    ::unlink(path.c_str());
    return errno_error("stat " + path, err);
  }
  UnixListener listener(std::move(fd), path, st.st_dev, st.st_ino);
  // Owner-only even where the kernel ignores the inode mode at bind (other systems).
  if ((st.st_mode & 0077) != 0 && ::chmod(path.c_str(), 0600) != 0) {
    return errno_error("chmod 0600 " + path);
  }
  if (::listen(listener.fd(), backlog) != 0) {
    return errno_error("listen " + path);
  }
  return listener;
}

UnixListener::UnixListener(UniqueFd fd, std::string path, dev_t dev, ino_t ino)
    : fd_(std::move(fd)), path_(std::move(path)), dev_(dev), ino_(ino) {}

UnixListener::UnixListener(UnixListener&& other) noexcept
    : fd_(std::move(other.fd_)), path_(std::move(other.path_)), dev_(other.dev_), ino_(other.ino_) {
  other.path_.clear();
}

UnixListener& UnixListener::operator=(UnixListener&& other) noexcept {
  if (this != &other) {
    remove_path();
    fd_ = std::move(other.fd_);
    path_ = std::move(other.path_);
    dev_ = other.dev_;
    ino_ = other.ino_;
    other.path_.clear();
  }
  return *this;
}

UnixListener::~UnixListener() { remove_path(); }

void UnixListener::close() {
  fd_.reset();
  remove_path();
}

void UnixListener::remove_path() {
  if (path_.empty()) {
    return;
  }
  struct stat st {};
  // Only our own socket: someone may have replaced the file since.
  if (::lstat(path_.c_str(), &st) == 0 && S_ISSOCK(st.st_mode) && st.st_dev == dev_ &&
      st.st_ino == ino_) {
    ::unlink(path_.c_str());
  }
  path_.clear();
}

Result<UniqueFd> UnixListener::accept() const {
  while (true) {
    int fd = ::accept4(fd_.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd >= 0) {
      return UniqueFd(fd);
    }
    if (errno != EINTR) {
      return errno_error("accept on " + path_);
    }
  }
}

Result<UniqueFd> connect_unix(const std::string& path) {
  MIMEO_ASSIGN_OR_RETURN(sockaddr_un addr, make_address(path));
  MIMEO_ASSIGN_OR_RETURN(UniqueFd fd, new_socket(0));
  while (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    if (errno != EINTR) {
      return errno_error("connect " + path);
    }
  }
  int flags = ::fcntl(fd.get(), F_GETFL);
  if (flags < 0 || ::fcntl(fd.get(), F_SETFL, flags | O_NONBLOCK) != 0) {
    return errno_error("fcntl O_NONBLOCK on socket " + path);
  }
  return fd;
}

bool socket_answers(const std::string& path) {
  auto addr = make_address(path);
  return addr.ok() && probe(*addr) == 0;
}

}  // namespace mimeo::chardev

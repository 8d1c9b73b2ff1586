#include "daemon/api_socket.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>

namespace mimeo::daemon {

namespace {

Result<sockaddr_un> make_address(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.empty()) {
    return make_error("the daemon's socket path is empty");
  }
  if (path.size() >= sizeof addr.sun_path) {
    return make_error("socket path " + path + " is " + std::to_string(path.size()) +
                      " bytes long, the limit is " + std::to_string(sizeof addr.sun_path - 1));
  }
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  return addr;
}

Result<UniqueFd> new_socket() {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) {
    return errno_error("socket(AF_UNIX)");
  }
  return UniqueFd(fd);
}

// 0 when a non-blocking connect reached a listener (EAGAIN: its backlog is
// full, which still means it listens), else the connect's errno.
int probe(const sockaddr_un& addr) {
  auto fd = new_socket();
  if (!fd.ok()) {
    return fd.error().err;
  }
  if (::connect(fd->get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0 ||
      errno == EAGAIN) {
    return 0;
  }
  return errno;
}

// Makes room at `path`: nothing there, or a socket nobody listens on.
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
  int err = probe(addr);
  if (err == 0) {
    return make_error("another daemon listens on " + path);
  }
  if (err != ECONNREFUSED) {
    return errno_error("connect " + path + " (checking for a stale socket)", err);
  }
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    return errno_error("remove stale socket " + path);
  }
  return {};
}

}  // namespace

Result<ApiSocket> ApiSocket::listen(const std::string& path) {
  MIMEO_ASSIGN_OR_RETURN(sockaddr_un addr, make_address(path));
  MIMEO_TRY(clear_stale_socket(path, addr));
  MIMEO_ASSIGN_OR_RETURN(UniqueFd fd, new_socket());
  // Linux creates the socket file with the socket inode's mode minus the
  // umask, so this makes it owner-only from the moment it appears, without
  // touching the process-wide umask (other threads create files too).
  if (::fchmod(fd.get(), 0600) != 0) {
    return errno_error("fchmod the socket for " + path);
  }
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    if (errno == EADDRINUSE) {
      return make_error("another daemon listens on " + path + " (it appeared while starting)");
    }
    return errno_error("bind " + path);
  }
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    int err = errno;
    ::unlink(path.c_str());
    return errno_error("stat " + path, err);
  }
  ApiSocket socket(std::move(fd), path, st.st_dev, st.st_ino);
  if ((st.st_mode & 0077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%03o", st.st_mode & 0777);
    return make_error("the socket " + path + " was created with mode " + mode +
                      ", not owner-only (0600)");
  }
  if (::listen(socket.fd(), SOMAXCONN) != 0) {
    return errno_error("listen on " + path);
  }
  return socket;
}

ApiSocket::ApiSocket(UniqueFd fd, std::string path, dev_t dev, ino_t ino)
    : fd_(std::move(fd)), path_(std::move(path)), dev_(dev), ino_(ino) {}

ApiSocket::ApiSocket(ApiSocket&& other) noexcept
    : fd_(std::move(other.fd_)), path_(std::move(other.path_)), dev_(other.dev_), ino_(other.ino_) {
  other.path_.clear();
}

ApiSocket::~ApiSocket() { close(); }

void ApiSocket::close() {
  fd_.reset();
  if (path_.empty()) {
    return;
  }
  struct stat st {};
  if (::lstat(path_.c_str(), &st) == 0 && S_ISSOCK(st.st_mode) && st.st_dev == dev_ &&
      st.st_ino == ino_) {
    ::unlink(path_.c_str());
  }
  path_.clear();
}

bool socket_answers(const std::string& path) {
  auto addr = make_address(path);
  return addr.ok() && probe(*addr) == 0;
}

}  // namespace mimeo::daemon

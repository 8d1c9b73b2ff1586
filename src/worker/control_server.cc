#include "worker/control_server.h"

#include <fmt/format.h>
#include <sys/socket.h>

#include <array>

#include "worker/control_protocol.h"

namespace mimeo::worker {

namespace {

constexpr size_t kReadChunk = 512;

}  // namespace

Result<ControlServer> ControlServer::listen(const std::string& path) {
  MIMEO_ASSIGN_OR_RETURN(auto listener, chardev::UnixListener::create(path));
  return ControlServer(std::move(listener));
}

ControlServer::ControlServer(chardev::UnixListener listener)
    : listener_(std::move(listener)), reader_(kMaxRequestLine) {}

int ControlServer::poll_fd() const { return client_ ? client_.get() : listener_.fd(); }

void ControlServer::on_readable(const Handler& handle) {
  if (client_) {
    read_client(handle);
    return;
  }
  auto client = listener_.accept();
  if (client.ok()) {
    client_ = std::move(*client);
    reader_.clear();
  }  // else it went away before we took it (or EAGAIN): keep listening
}

void ControlServer::read_client(const Handler& handle) {
  std::array<char, kReadChunk> buffer;
  const ssize_t n = ::recv(client_.get(), buffer.data(), buffer.size(), 0);
  if (n < 0) {
    if (errno != EAGAIN && errno != EINTR) {
      close_client();
    }
    return;
  }
  if (n == 0 || finished_) {
    close_client();  // hung up; a line it did not end is dropped
    return;
  }
  reader_.append(std::string_view(buffer.data(), static_cast<size_t>(n)));
  while (client_ && !finished_) {
    if (reader_.overlong()) {
      (void)send(error_reply(
          fmt::format("request longer than {} bytes; closing the connection", kMaxRequestLine)));
      close_client();
      return;
    }
    auto line = reader_.next_line();
    if (!line) {
      return;
    }
    Reply reply = handle(*line);
    finished_ = reply.final;
    if (!send(reply.line)) {
      close_client();
    }
  }
}

bool ControlServer::send(const std::string& line) {
  // Replies are short: a client that leaves no room for one is not reading.
  const ssize_t n = ::send(client_.get(), line.data(), line.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
  return n == static_cast<ssize_t>(line.size());
}

void ControlServer::close_client() {
  client_.reset();
  reader_.clear();
}

}  // namespace mimeo::worker

// A QMP client over a Unix socket, as a templating tool would be: reads "\r\n"-ended
// lines, keeps the events that arrive before a reply. Used by the server tests here and
// by tests/kvm/qmp_machine_test.cc.
#pragma once

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "base/unique_fd.h"
#include "qmp/qmp_json.h"

namespace mimeo::qmp::testing {

class QmpTestClient {
 public:
  using Clock = std::chrono::steady_clock;

  // Connects to `path` (nullopt if that fails).
  static std::optional<QmpTestClient> connect(const std::string& path) {
    UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
    if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      return std::nullopt;
    }
    return QmpTestClient(std::move(fd));
  }

  bool send(std::string_view text) {
    return ::send(fd_.get(), text.data(), text.size(), MSG_NOSIGNAL) ==
           static_cast<ssize_t>(text.size());
  }

  // The next line, without its "\r\n"; nullopt on timeout or end of input.
  std::optional<std::string> line(std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
    const auto deadline = Clock::now() + timeout;
    for (;;) {
      auto end = buffer_.find("\r\n");
      if (end != std::string::npos) {
        std::string text = buffer_.substr(0, end);
        buffer_.erase(0, end + 2);
        return text;
      }
      if (!fill(deadline)) {
        return std::nullopt;
      }
    }
  }

  std::optional<Json> message(std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
    auto text = line(timeout);
    if (!text) {
      return std::nullopt;
    }
    return Json::parse(*text);
  }

  // Sends {"execute": name, "arguments": args} and returns the reply; events that come
  // first are kept in events(). A null Json on timeout.
  Json command(std::string_view name, const Json& args = Json::object(),
               std::chrono::milliseconds timeout = std::chrono::seconds(60)) {
    Json request = {{"execute", name}};
    if (!args.empty()) {
      request["arguments"] = args;
    }
    if (!send(to_text(request) + "\n")) {
      return {};
    }
    for (;;) {
      auto reply = message(timeout);
      if (!reply) {
        return {};
      }
      if (!reply->contains("event")) {
        return *reply;
      }
      events_.push_back(std::move(*reply));
    }
  }

  // The next event (one already received first), or null Json on timeout.
  Json event(std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
    if (!events_.empty()) {
      Json first = events_.front();
      events_.erase(events_.begin());
      return first;
    }
    auto next = message(timeout);
    return next ? *next : Json();
  }

  // True when the server closes the connection within `timeout` (input left unread is
  // dropped).
  bool closed(std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
    const auto deadline = Clock::now() + timeout;
    while (fill(deadline)) {
      buffer_.clear();
    }
    return eof_;
  }

  std::vector<Json>& events() { return events_; }

 private:
  explicit QmpTestClient(UniqueFd fd) : fd_(std::move(fd)) {}

  // Reads once; false on timeout or end of input.
  bool fill(Clock::time_point deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    pollfd p = {fd_.get(), POLLIN, 0};
    if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) {
      return false;
    }
    char chunk[4096];
    ssize_t n = ::read(fd_.get(), chunk, sizeof chunk);
    if (n <= 0) {
      eof_ = true;
      return false;
    }
    buffer_.append(chunk, static_cast<size_t>(n));
    return true;
  }

  UniqueFd fd_;
  std::string buffer_;
  std::vector<Json> events_;
  bool eof_ = false;
};

}  // namespace mimeo::qmp::testing

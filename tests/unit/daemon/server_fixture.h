// A real ApiServer on a temporary socket in front of a FakeCore, with the
// project's Client and raw-socket helpers for what a client should not send.
#pragma once

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <chrono>
#include <cstring>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "common/temp_dir.h"
#include "daemon/api_server.h"
#include "daemon/client.h"
#include "fake_core.h"

namespace mimeo::daemon::testing {

using nlohmann::json;
using namespace std::chrono_literals;

// A connected raw client socket (blocking), or -1.
inline int raw_connect(const std::string& path) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

inline void send_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n <= 0) {
      return;
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
}

// Everything the server sends until it closes the connection (or `timeout`).
inline std::string read_until_close(int fd, std::chrono::milliseconds timeout = 5s) {
  timeval tv{static_cast<time_t>(timeout.count() / 1000),
             static_cast<suseconds_t>(timeout.count() % 1000 * 1000)};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  std::string out;
  char buffer[65536];
  while (true) {
    ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) {
      return out;
    }
    out.append(buffer, static_cast<size_t>(n));
  }
}

// Sends `bytes` on a new connection and returns all the server answers.
inline std::string raw_exchange(const std::string& path, std::string_view bytes,
                                std::chrono::milliseconds timeout = 5s) {
  int fd = raw_connect(path);
  if (fd < 0) {
    return "(connect failed)";
  }
  send_all(fd, bytes);
  std::string answer = read_until_close(fd, timeout);
  ::close(fd);
  return answer;
}

// The first HTTP answer in `text`: status, headers (names lowercased), body.
struct RawAnswer {
  int status = 0;
  std::map<std::string, std::string> headers;
  std::string body;
};

inline RawAnswer parse_answer(const std::string& text) {
  RawAnswer answer;
  size_t end = text.find("\r\n\r\n");
  if (text.rfind("HTTP/1.1 ", 0) != 0 || end == std::string::npos) {
    return answer;
  }
  answer.status = std::stoi(text.substr(9, 3));
  size_t line = text.find("\r\n") + 2;
  while (line < end) {
    size_t next = text.find("\r\n", line);
    std::string field = text.substr(line, next - line);
    size_t colon = field.find(':');
    std::string name = field.substr(0, colon);
    for (char& c : name) {
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    answer.headers[name] = field.substr(field.find_first_not_of(' ', colon + 1));
    line = next + 2;
  }
  size_t length = answer.headers.count("content-length") != 0
                      ? std::stoul(answer.headers["content-length"])
                      : 0;
  answer.body = text.substr(end + 4, length);
  return answer;
}

class ServerTest : public ::testing::Test {
 protected:
  void start(ApiServerOptions options = {}) {
    auto server = ApiServer::create(path_, core_, options);
    ASSERT_TRUE(server.ok()) << server.error().describe();
    server_ = std::move(*server);
    thread_ = std::thread([this] { serve_status_ = server_->serve(); });
  }
  void stop() {
    if (server_) {
      server_->stop();
      thread_.join();
      EXPECT_TRUE(serve_status_.ok()) << serve_status_.error().describe();
      server_.reset();
    }
  }
  void TearDown() override { stop(); }

  Response call(std::string_view method, std::string_view target,
                std::optional<std::string> body = std::nullopt) {
    auto response = Client(path_, 10s).request(method, target, std::move(body));
    EXPECT_TRUE(response.ok()) << response.error().describe();
    return response.ok() ? *response : Response{};
  }
  // The answer's JSON body (null when it is not JSON).
  static json body_of(const Response& response) {
    return json::parse(response.body, nullptr, false);
  }
  static std::string error_code(const Response& response) {
    json body = body_of(response);
    return body.is_object() && body.contains("error") ? body["error"].value("code", "")
                                                      : "(no error body: " + response.body + ")";
  }
  static std::string error_message(const Response& response) {
    json body = body_of(response);
    return body.is_object() && body.contains("error") ? body["error"].value("message", "") : "";
  }
  std::string raw(std::string_view bytes, std::chrono::milliseconds timeout = 5s) {
    return raw_exchange(path_, bytes, timeout);
  }

  mimeo::testing::TempDir dir_;
  std::string path_ = dir_.file("api.sock");
  FakeCore core_;
  std::unique_ptr<ApiServer> server_;
  std::thread thread_;
  Status serve_status_;
};

}  // namespace mimeo::daemon::testing

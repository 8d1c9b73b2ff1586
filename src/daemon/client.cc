#include "daemon/client.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <cstdio>
#include <cstring>

#include "base/unique_fd.h"
#include "base/version.h"
#include "daemon/api_socket.h"
#include "daemon/fd_stream.h"

namespace mimeo::daemon {

namespace {

namespace http = boost::beast::http;

constexpr uint32_t kMaxAnswerHeader = 64 * 1024;
constexpr uint64_t kMaxAnswerBody = 256ULL * 1024 * 1024;

std::string seconds_text(std::chrono::milliseconds timeout) {
  char text[32];
  std::snprintf(text, sizeof text, "%g s", static_cast<double>(timeout.count()) / 1000);
  return text;
}

// HTTP carries a method token and a target of visible ASCII; anything else
// (a space, CR or LF) would change the request's meaning.
Status check_request_line(std::string_view method, std::string_view path) {
  bool method_ok = !method.empty();
  for (char c : method) {
    method_ok = method_ok && ((c >= 'A' && c <= 'Z') || c == '-' || c == '_');
  }
  if (!method_ok) {
    return make_error("not an HTTP method: '" + std::string(method) + "'");
  }
  bool path_ok = !path.empty() && path.front() == '/';
  for (char c : path) {
    path_ok = path_ok && c > ' ' && c < 127;
  }
  if (!path_ok) {
    return make_error("not a request path (percent-encode names): '" + std::string(path) + "'");
  }
  return {};
}

// A blocking connect bounded by `timeout`: Linux applies SO_SNDTIMEO to a
// Unix socket's connect while the listener's backlog is full.
Result<UniqueFd> connect_daemon(const std::string& path, std::chrono::milliseconds timeout) {
  const std::string what = "cannot connect to the mimeo daemon at " + path;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof addr.sun_path) {
    return make_error(what + ": the path is empty or longer than " +
                      std::to_string(sizeof addr.sun_path - 1) + " bytes");
  }
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) {
    return errno_error(what + ": socket");
  }
  timeval tv{static_cast<time_t>(timeout.count() / 1000),
             static_cast<suseconds_t>(timeout.count() % 1000 * 1000)};
  (void)::setsockopt(fd.get(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  while (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    if (errno == EAGAIN || errno == EINPROGRESS) {
      return make_error(what + ": it accepted no connection within " + seconds_text(timeout));
    }
    if (errno != EINTR) {
      return errno_error(what);
    }
  }
  return fd;
}

http::request<http::string_body> make_request(std::string_view method, std::string_view path,
                                              std::optional<std::string> body) {
  http::request<http::string_body> request;
  request.method_string({method.data(), method.size()});
  request.target({path.data(), path.size()});
  request.version(11);
  request.set(http::field::host, "localhost");
  request.set(http::field::user_agent, std::string("mimeo/") + kVersion);
  request.keep_alive(false);
  if (body) {
    request.set(http::field::content_type, "application/json");
    request.body() = std::move(*body);
  }
  request.prepare_payload();
  return request;
}

}  // namespace

Client::Client(std::string socket_path, std::chrono::milliseconds timeout)
    : socket_path_(std::move(socket_path)), timeout_(timeout) {}

Result<Response> Client::request(std::string_view method, std::string_view path,
                                 std::optional<std::string> body) const {
  auto deadline = FdStream::Clock::now() + timeout_;
  MIMEO_TRY(check_request_line(method, path));
  MIMEO_ASSIGN_OR_RETURN(UniqueFd fd, connect_daemon(socket_path_, timeout_));
  FdStream stream(fd.get(), -1);
  stream.expires_at(deadline);
  const std::string daemon = "the mimeo daemon at " + socket_path_;
  boost::beast::error_code ec;
  try {
    auto request = make_request(method, path, std::move(body));
    http::write(stream, request, ec);
    // A daemon that refuses the connection (503, too busy) may close it before
    // reading the request: its answer is still there to read.
    boost::beast::error_code write_error = ec;
    boost::beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.header_limit(kMaxAnswerHeader);
    parser.body_limit(kMaxAnswerBody);
    http::read(stream, buffer, parser, ec);
    if (ec == boost::beast::error::timeout) {
      return make_error(daemon + " did not answer " + std::string(method) + " " +
                        std::string(path) + " within " + seconds_text(timeout_));
    }
    if (ec == http::error::end_of_stream || ec == http::error::partial_message) {
      return make_error(
          daemon + " closed the connection without a complete answer" +
          (write_error ? " (sending the request: " + write_error.message() + ")" : std::string()));
    }
    if (ec) {
      return make_error(daemon + " sent a malformed answer: " + ec.message());
    }
    auto& message = parser.get();
    Response response;
    response.status = static_cast<int>(message.result_int());
    response.body = std::move(message.body());
    if (auto type = message.find(http::field::content_type); type != message.end()) {
      response.content_type = std::string(type->value());
    }
    return response;
  } catch (const std::exception& e) {  // allocation
    return make_error("request to " + daemon + " failed: " + e.what());
  }
}

bool daemon_listening(const std::string& socket_path) { return socket_answers(socket_path); }

std::string percent_encode(std::string_view segment) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : segment) {
    bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace mimeo::daemon

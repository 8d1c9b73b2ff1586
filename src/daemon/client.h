// The CLI's side of the REST API: one HTTP/1.1 request per connection to the
// daemon's Unix socket, with a timeout. Free of Beast and Asio.
//
//   daemon::Client client(path);
//   auto response = client.request("POST", "/clones", R"({"template":"t"})");
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"

namespace mimeo::daemon {

struct Response {
  int status = 0;
  std::string body;
  std::string content_type;  // "" when the answer has none
};

class Client {
 public:
  // `timeout` bounds each request from connecting to the last byte of the
  // answer (creating a template may take its ready timeout and more).
  explicit Client(std::string socket_path,
                  std::chrono::milliseconds timeout = std::chrono::seconds(120));

  // `path` is the request target ("/clones/abc"), percent-encoded as needed
  // (see percent_encode). A body is sent as application/json. Every HTTP
  // status is a Response; errors are connecting, timing out and malformed
  // answers: "cannot connect to the mimeo daemon at PATH: ...".
  Result<Response> request(std::string_view method, std::string_view path,
                           std::optional<std::string> body = std::nullopt) const;

  [[nodiscard]] const std::string& socket_path() const { return socket_path_; }

 private:
  std::string socket_path_;
  std::chrono::milliseconds timeout_;
};

// True when a daemon accepts connections at `socket_path` (a connect
// succeeds); sends nothing. For "talk to the daemon when one runs".
[[nodiscard]] bool daemon_listening(const std::string& socket_path);

// A name or ref as one path segment: every byte but A-Z a-z 0-9 - . _ ~ as %XX.
[[nodiscard]] std::string percent_encode(std::string_view segment);

}  // namespace mimeo::daemon

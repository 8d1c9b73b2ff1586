// One client connection of the REST API: HTTP/1.1 requests read with Beast,
// answered through parse_api_request and dispatch, kept alive until the
// client closes, a limit or timeout ends it, or the server stops. Free of
// Beast and Asio so that the server's header stays light.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

#include "daemon/status_counts.h"
#include "service/request_handler.h"

namespace mimeo::daemon {

struct ConnectionLimits {
  size_t max_header_bytes = 16 * 1024;  // request line and fields: 431 beyond
  size_t max_body_bytes = 1024 * 1024;  // 413 beyond
  // How long a request may take to arrive, from the end of the previous answer
  // (or the connection's start): an idle keep-alive connection is closed, a
  // half-sent request gets 408. Also bounds writing each answer.
  std::chrono::milliseconds timeout{30000};
};

// Serves the connection on `fd` (the caller closes it) until it ends or
// `stop_fd` becomes readable. Counts every answer in `answers`. Never throws.
void serve_connection(int fd, int stop_fd, const ConnectionLimits& limits,
                      service::RequestHandler& handler, StatusCounts& answers);

// The whole HTTP answer to a connection the server has no room for:
// 503 with a JSON error body, and Connection: close.
[[nodiscard]] std::string busy_answer(unsigned max_connections);

}  // namespace mimeo::daemon

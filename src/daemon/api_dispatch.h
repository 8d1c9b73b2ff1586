// Runs a parsed API request on the core (RequestHandler) and renders the
// answer: status, media type and body. No I/O of its own besides the handler.
#pragma once

#include <string>

#include "daemon/api_error.h"
#include "daemon/api_request.h"
#include "daemon/status_counts.h"
#include "service/request_handler.h"

namespace mimeo::daemon {

inline constexpr const char* kJsonContentType = "application/json";

struct ApiResponse {
  int status = 200;
  std::string content_type;  // empty when there is no body (204)
  std::string body;
  std::string allow;  // 405: the Allow header
};

[[nodiscard]] ApiResponse error_response(const ApiError& error);

// `answers` feeds GET /metrics' mimeo_http_requests_total. An exception from
// the handler becomes a 500 answer.
[[nodiscard]] ApiResponse dispatch(const ApiRequest& request, service::RequestHandler& handler,
                                   const StatusCounts& answers);

// parse_api_request, then dispatch (or the parse error's answer).
[[nodiscard]] ApiResponse answer(const HttpInput& input, service::RequestHandler& handler,
                                 const StatusCounts& answers);

}  // namespace mimeo::daemon

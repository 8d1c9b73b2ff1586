// An error answer of the REST API: the HTTP status, a stable machine-readable
// code and a message naming what is wrong. Every non-2xx answer has the body
//   {"error":{"code":"not_found","message":"no template named x"}}
#pragma once

#include <string>

#include "service/service_error.h"

namespace mimeo::daemon {

struct ApiError {
  int status = 500;
  std::string code;     // "invalid", "not_found", ... (api_error.cc lists them)
  std::string message;  // for people
  std::string allow;    // 405 only: the path's methods, for the Allow header
};

// 400 "invalid": a malformed request (bad JSON, wrong type, unknown field, bad path).
[[nodiscard]] ApiError bad_request(std::string message);
// 404 "not_found": no route for the path.
[[nodiscard]] ApiError no_route(std::string message);
// The core's errors: invalid 400, not_found 404, conflict 409, no_space 507,
// unavailable 503, internal 500; the code is the kind's name.
[[nodiscard]] ApiError from_service_error(const service::ServiceError& error);
[[nodiscard]] const char* error_kind_code(service::ErrorKind kind);
[[nodiscard]] int error_kind_status(service::ErrorKind kind);

}  // namespace mimeo::daemon

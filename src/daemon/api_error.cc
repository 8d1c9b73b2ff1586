#include "daemon/api_error.h"

namespace mimeo::daemon {

using service::ErrorKind;

ApiError bad_request(std::string message) { return {400, "invalid", std::move(message), {}}; }

ApiError no_route(std::string message) { return {404, "not_found", std::move(message), {}}; }

const char* error_kind_code(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kInvalid: return "invalid";
    case ErrorKind::kNotFound: return "not_found";
    case ErrorKind::kConflict: return "conflict";
    case ErrorKind::kNoSpace: return "no_space";
    case ErrorKind::kUnavailable: return "unavailable";
    case ErrorKind::kInternal: return "internal";
  }
  return "internal";
}

int error_kind_status(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kInvalid: return 400;
    case ErrorKind::kNotFound: return 404;
    case ErrorKind::kConflict: return 409;
    case ErrorKind::kNoSpace: return 507;
    case ErrorKind::kUnavailable: return 503;
    case ErrorKind::kInternal: return 500;
  }
  return 500;
}

ApiError from_service_error(const service::ServiceError& error) {
  return {error_kind_status(error.kind), error_kind_code(error.kind), error.message, {}};
}

}  // namespace mimeo::daemon

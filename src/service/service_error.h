// Errors of the daemon's core: what failed, and what kind of failure it is,
// so that a front end can map it (the REST API to an HTTP status) without the
// core knowing about HTTP.
#pragma once

#include <string>

#include "base/result.h"

namespace mimeo::service {

enum class ErrorKind {
  kInvalid,      // the request is malformed or a value is out of range (400)
  kNotFound,     // no such template or clone (404)
  kConflict,     // the name exists, or the template is in use (409)
  kNoSpace,      // the state directory's disk is full (507)
  kUnavailable,  // the daemon cannot do it now, e.g. stopping (503)
  kInternal,     // a bug or an unexpected system failure (500)
};

struct ServiceError {
  ErrorKind kind = ErrorKind::kInternal;
  std::string message;
};

[[nodiscard]] inline ServiceError invalid(std::string message) {
  return {ErrorKind::kInvalid, std::move(message)};
}
[[nodiscard]] inline ServiceError not_found(std::string message) {
  return {ErrorKind::kNotFound, std::move(message)};
}
[[nodiscard]] inline ServiceError conflict(std::string message) {
  return {ErrorKind::kConflict, std::move(message)};
}
[[nodiscard]] inline ServiceError internal(const Error& error) {
  return {ErrorKind::kInternal, error.describe()};
}

template <class T>
using ServiceResult = Result<T, ServiceError>;
using ServiceStatus = Result<void, ServiceError>;

}  // namespace mimeo::service

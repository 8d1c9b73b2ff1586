#include "base/result.h"

#include <cstring>

namespace mimeo {

std::string Error::describe() const {
  if (err == 0) {
    return message;
  }
  return message + ": " + std::strerror(err);
}

Error Error::context(std::string_view what) const {
  Error e = *this;
  e.message = std::string(what) + ": " + message;
  return e;
}

Error make_error(std::string message) { return Error{std::move(message), 0}; }

Error errno_error(std::string message) { return errno_error(std::move(message), errno); }

Error errno_error(std::string message, int err) { return Error{std::move(message), err}; }

}  // namespace mimeo

// An expected-style result: either a value or an Error that says which call,
// which path and which errno failed. [[nodiscard]] so no failure is dropped.
#pragma once

#include <cerrno>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace mimeo {

struct Error {
  std::string message;  // what failed, with context ("open /x/y")
  int err = 0;          // errno, 0 when not an OS error

  // "message: strerror(err)" or just "message".
  [[nodiscard]] std::string describe() const;
  // Prefixes context: Error{"open x"}.context("backend ram0") -> "backend ram0: open x".
  [[nodiscard]] Error context(std::string_view what) const;
};

// An Error from a message alone.
[[nodiscard]] Error make_error(std::string message);
// An Error for a failed system call; reads errno now.
[[nodiscard]] Error errno_error(std::string message);
[[nodiscard]] Error errno_error(std::string message, int err);

// E is the error type: Error below the front ends; service::ServiceError adds
// what kind of failure it is (for HTTP status codes) in the daemon's core.
template <class T, class E = Error>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Result(E error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  [[nodiscard]] bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const E& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, E> v_;
};

template <class E>
class [[nodiscard]] Result<void, E> {
 public:
  Result() = default;
  Result(E error) : error_(std::move(error)), ok_(false) {}  // NOLINT

  [[nodiscard]] bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const E& error() const { return error_; }

 private:
  E error_;
  bool ok_ = true;
};

using Status = Result<void>;

}  // namespace mimeo

// Returns the error of a failed Result from the enclosing function.
#define MIMEO_TRY(expr)                 \
  do {                                  \
    auto mimeo_try_result_ = (expr);    \
    if (!mimeo_try_result_.ok()) {      \
      return mimeo_try_result_.error(); \
    }                                   \
  } while (0)

#define MIMEO_CONCAT_INNER_(a, b) a##b
#define MIMEO_CONCAT_(a, b) MIMEO_CONCAT_INNER_(a, b)
// MIMEO_ASSIGN_OR_RETURN(auto x, f()); declares x from a successful Result.
#define MIMEO_ASSIGN_OR_RETURN(decl, expr)            \
  auto MIMEO_CONCAT_(mimeo_r_, __LINE__) = (expr);    \
  if (!MIMEO_CONCAT_(mimeo_r_, __LINE__).ok()) {      \
    return MIMEO_CONCAT_(mimeo_r_, __LINE__).error(); \
  }                                                   \
  decl = std::move(MIMEO_CONCAT_(mimeo_r_, __LINE__)).value()

// Reading a request body's JSON object field by field, so that every error
// names the field by its full path ("ready.serial"):
//   missing field 'name'
//   field 'cpus' must be a whole number from 0 to 4294967295, not a string
//   unknown field 'bogus'                   (check_no_others, after every field)
// Optional fields may be absent or null. Internal to the daemon layer.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "daemon/api_error.h"

namespace mimeo::daemon {

using Json = nlohmann::ordered_json;

template <class T>
using ApiResult = Result<T, ApiError>;

// The body as one JSON object; anything else (empty, not JSON, an array) is a 400.
[[nodiscard]] ApiResult<Json> parse_json_object(std::string_view body);

class FieldReader {
 public:
  // `object` must be a JSON object and outlive the reader; `path` is its own
  // full name ("" for the body, "ready" for a nested object).
  explicit FieldReader(const Json& object, std::string path = {})
      : object_(object), path_(std::move(path)) {}

  ApiResult<std::string> required_string(std::string_view name);
  ApiResult<std::optional<std::string>> optional_string(std::string_view name);
  ApiResult<unsigned> required_unsigned(std::string_view name);
  ApiResult<std::optional<unsigned>> optional_unsigned(std::string_view name);
  // Finite numbers, whole or not.
  ApiResult<std::optional<double>> optional_number(std::string_view name);
  // The member's object (the reader's object keeps it alive).
  ApiResult<const Json*> required_object(std::string_view name);

  // A field that was not read is unknown.
  [[nodiscard]] Result<void, ApiError> check_no_others() const;

  [[nodiscard]] std::string full_name(std::string_view name) const;

 private:
  // The field, or null when it is absent or JSON null; remembers it was read.
  const Json* find(std::string_view name);
  ApiError wrong_type(std::string_view name, std::string_view expected, const Json& value) const;

  const Json& object_;
  std::string path_;
  std::vector<std::string> read_;
};

}  // namespace mimeo::daemon

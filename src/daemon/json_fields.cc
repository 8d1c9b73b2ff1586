#include "daemon/json_fields.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace mimeo::daemon {

namespace {

// "a string", "an object", "the number -1": what a value is, for errors.
std::string describe(const Json& value) {
  switch (value.type()) {
    case Json::value_t::object: return "an object";
    case Json::value_t::array: return "an array";
    case Json::value_t::boolean: return "a boolean";
    case Json::value_t::string: return "a string";
    case Json::value_t::null: return "null";
    default: return "the number " + value.dump();
  }
}

// nlohmann's exception texts start with "[json.exception.parse_error.101] ".
std::string without_exception_id(const char* what) {
  std::string_view text(what);
  if (!text.empty() && text.front() == '[') {
    if (size_t end = text.find("] "); end != std::string_view::npos) {
      text.remove_prefix(end + 2);
    }
  }
  return std::string(text);
}

}  // namespace

ApiResult<Json> parse_json_object(std::string_view body) {
  if (body.empty()) {
    return bad_request("the request needs a JSON object body");
  }
  Json value;
  try {
    value = Json::parse(body.begin(), body.end());
  } catch (const Json::exception& e) {
    return bad_request("the body is not valid JSON: " + without_exception_id(e.what()));
  }
  if (!value.is_object()) {
    return bad_request("the body must be a JSON object, not " + describe(value));
  }
  return value;
}

std::string FieldReader::full_name(std::string_view name) const {
  return path_.empty() ? std::string(name) : path_ + "." + std::string(name);
}

const Json* FieldReader::find(std::string_view name) {
  read_.emplace_back(name);
  auto it = object_.find(std::string(name));
  if (it == object_.end() || it->is_null()) {
    return nullptr;
  }
  return &*it;
}

ApiError FieldReader::wrong_type(std::string_view name, std::string_view expected,
                                 const Json& value) const {
  return bad_request("field '" + full_name(name) + "' must be " + std::string(expected) + ", not " +
                     describe(value));
}

ApiResult<std::string> FieldReader::required_string(std::string_view name) {
  MIMEO_ASSIGN_OR_RETURN(auto value, optional_string(name));
  if (!value) {
    return bad_request("missing field '" + full_name(name) + "'");
  }
  return *std::move(value);
}

ApiResult<std::optional<std::string>> FieldReader::optional_string(std::string_view name) {
  const Json* value = find(name);
  if (value == nullptr) {
    return std::optional<std::string>();
  }
  if (!value->is_string()) {
    return wrong_type(name, "a string", *value);
  }
  return std::optional<std::string>(value->get<std::string>());
}

ApiResult<unsigned> FieldReader::required_unsigned(std::string_view name) {
  MIMEO_ASSIGN_OR_RETURN(auto value, optional_unsigned(name));
  if (!value) {
    return bad_request("missing field '" + full_name(name) + "'");
  }
  return *value;
}

ApiResult<std::optional<unsigned>> FieldReader::optional_unsigned(std::string_view name) {
  const Json* value = find(name);
  if (value == nullptr) {
    return std::optional<unsigned>();
  }
  constexpr auto kMax = std::numeric_limits<unsigned>::max();
  if (!value->is_number_unsigned() || value->get<uint64_t>() > kMax) {
    return wrong_type(name, "a whole number from 0 to " + std::to_string(kMax), *value);
  }
  return std::optional<unsigned>(static_cast<unsigned>(value->get<uint64_t>()));
}

ApiResult<std::optional<double>> FieldReader::optional_number(std::string_view name) {
  const Json* value = find(name);
  if (value == nullptr) {
    return std::optional<double>();
  }
  if (!value->is_number() || !std::isfinite(value->get<double>())) {
    return wrong_type(name, "a number", *value);
  }
  return std::optional<double>(value->get<double>());
}

ApiResult<const Json*> FieldReader::required_object(std::string_view name) {
  const Json* value = find(name);
  if (value == nullptr) {
    return bad_request("missing field '" + full_name(name) + "'");
  }
  if (!value->is_object()) {
    return wrong_type(name, "an object", *value);
  }
  return value;
}

Result<void, ApiError> FieldReader::check_no_others() const {
  for (const auto& item : object_.items()) {
    if (std::find(read_.begin(), read_.end(), item.key()) == read_.end()) {
      return bad_request("unknown field '" + full_name(item.key()).substr(0, 200) + "'");
    }
  }
  return {};
}

}  // namespace mimeo::daemon

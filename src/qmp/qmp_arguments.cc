#include "qmp/qmp_arguments.h"

#include <algorithm>

namespace mimeo::qmp {

Error invalid_type(std::string_view full_name, std::string_view expected) {
  return make_error("Invalid parameter type for '" + std::string(full_name) +
                    "', expected: " + std::string(expected));
}

std::string element_name(std::string_view array_name, size_t index) {
  return std::string(array_name) + "[" + std::to_string(index) + "]";
}

Error invalid_enum_value(std::string_view member, std::string_view value) {
  return make_error("Parameter '" + std::string(member) + "' does not accept value '" +
                    std::string(value) + "'");
}

std::string ArgumentReader::full_name(std::string_view name) const {
  return path_.empty() ? std::string(name) : path_ + "." + std::string(name);
}

const Json* ArgumentReader::find(std::string_view name) {
  read_.emplace_back(name);
  auto it = object_.find(std::string(name));
  return it == object_.end() ? nullptr : &*it;
}

Result<std::string> ArgumentReader::required_string(std::string_view name) {
  const Json* value = find(name);
  if (value == nullptr) {
    return make_error("Parameter '" + full_name(name) + "' is missing");
  }
  if (!value->is_string()) {
    return invalid_type(full_name(name), "string");
  }
  return value->get<std::string>();
}

Result<bool> ArgumentReader::required_bool(std::string_view name) {
  MIMEO_ASSIGN_OR_RETURN(auto value, optional_bool(name));
  if (!value) {
    return make_error("Parameter '" + full_name(name) + "' is missing");
  }
  return *value;
}

Result<std::optional<bool>> ArgumentReader::optional_bool(std::string_view name) {
  const Json* value = find(name);
  if (value == nullptr) {
    return std::optional<bool>();
  }
  if (!value->is_boolean()) {
    return invalid_type(full_name(name), "boolean");
  }
  return std::optional<bool>(value->get<bool>());
}

Result<const Json*> ArgumentReader::required_array(std::string_view name) {
  MIMEO_ASSIGN_OR_RETURN(const Json* value, optional_array(name));
  if (value == nullptr) {
    return make_error("Parameter '" + full_name(name) + "' is missing");
  }
  return value;
}

Result<const Json*> ArgumentReader::optional_array(std::string_view name) {
  const Json* value = find(name);
  if (value != nullptr && !value->is_array()) {
    return invalid_type(full_name(name), "array");
  }
  return value;
}

Status ArgumentReader::check_no_others() const {
  for (const auto& item : object_.items()) {
    if (std::find(read_.begin(), read_.end(), item.key()) == read_.end()) {
      return make_error("Parameter '" + full_name(item.key()) + "' is unexpected");
    }
  }
  return {};
}

}  // namespace mimeo::qmp

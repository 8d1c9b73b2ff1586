// Reads a command's "arguments" the way QEMU's QObject input visitor does, so that
// errors have its wording and name members by their full path ("capabilities[0].state"):
//   Parameter 'uri' is missing
//   Invalid parameter type for 'uri', expected: string
//   Parameter 'bogus' is unexpected          (check_no_others, after every member)
// Every error is a GenericError description.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "qmp/qmp_json.h"

namespace mimeo::qmp {

class ArgumentReader {
 public:
  // `object` must be a JSON object and outlive the reader; `path` is its own full name
  // ("" for the arguments themselves, "capabilities[0]" for a list element).
  explicit ArgumentReader(const Json& object, std::string path = {})
      : object_(object), path_(std::move(path)) {}

  Result<std::string> required_string(std::string_view name);
  Result<bool> required_bool(std::string_view name);
  Result<std::optional<bool>> optional_bool(std::string_view name);
  // The member's array (the reader's object keeps it alive).
  Result<const Json*> required_array(std::string_view name);
  Result<const Json*> optional_array(std::string_view name);  // null when absent

  // A member that was not read is unexpected.
  [[nodiscard]] Status check_no_others() const;

  [[nodiscard]] std::string full_name(std::string_view name) const;

 private:
  const Json* find(std::string_view name);

  const Json& object_;
  std::string path_;
  std::vector<std::string> read_;
};

// "Invalid parameter type for 'NAME', expected: TYPE".
[[nodiscard]] Error invalid_type(std::string_view full_name, std::string_view expected);
// An element of the array `array_name` (a full name) at `index`: "capabilities[0]".
[[nodiscard]] std::string element_name(std::string_view array_name, size_t index);
// QEMU's enum error names the member alone, or "null" for a list element:
// "Parameter 'capability' does not accept value 'foo'".
[[nodiscard]] Error invalid_enum_value(std::string_view member, std::string_view value);

}  // namespace mimeo::qmp

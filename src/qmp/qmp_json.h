// The JSON type of the QMP layer: member order is kept, so replies list members in
// QEMU's order and an unexpected argument is reported as the client ordered them.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace mimeo::qmp {

using Json = nlohmann::ordered_json;

// One line of QMP output (without the line end). Strings that are not valid UTF-8
// (only possible in text mimeo made from raw input) are repaired, never thrown on.
[[nodiscard]] inline std::string to_text(const Json& value) {
  return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace mimeo::qmp

// The JSON the API answers with, in one place: templates, clones, health,
// lists and errors. Durations are seconds (or the unit in the name, like
// create_ms) as numbers, times are unix seconds, clone ids are strings, and
// absent optional values are null.
#pragma once

#include <string>
#include <vector>

#include "daemon/api_error.h"
#include "daemon/json_fields.h"
#include "service/service_types.h"

namespace mimeo::daemon {

[[nodiscard]] Json to_json(const service::TemplateInfo& info);
[[nodiscard]] Json to_json(const service::CloneInfo& info);
[[nodiscard]] Json to_json(const service::Health& health);
// {"code":..., "message":...}
[[nodiscard]] Json error_object(const ApiError& error);
// {"error":{"code":..., "message":...}}: every non-2xx body.
[[nodiscard]] Json error_body(const ApiError& error);

// {"templates":[...]} and {"clones":[...]}
[[nodiscard]] Json template_list(const std::vector<service::TemplateInfo>& templates);
[[nodiscard]] Json clone_list(const std::vector<service::CloneInfo>& clones);

// Compact text; bytes that are not UTF-8 (names from raw input) become U+FFFD
// instead of throwing.
[[nodiscard]] std::string to_text(const Json& value);

}  // namespace mimeo::daemon

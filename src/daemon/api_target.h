// The path of an HTTP request target as the API routes see it: origin-form
// only ("/templates/a%2Fb"), split at '/' before percent-decoding, so an
// encoded slash stays inside its segment. Dot segments are not special: the
// routes see ".." as an ordinary segment (and names are the core's to check).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "daemon/api_error.h"

namespace mimeo::daemon {

// "%41b" -> "Ab"; a '%' not followed by two hex digits is a 400 naming it.
[[nodiscard]] Result<std::string, ApiError> percent_decode(std::string_view text);

// "/templates/x" -> {"templates", "x"}; "/" -> {""}; "/a/" -> {"a", ""}.
// A target that is not a path, or has a non-empty query, is a 400.
[[nodiscard]] Result<std::vector<std::string>, ApiError> split_target(std::string_view target);

}  // namespace mimeo::daemon

// Errors of the parsers `mimeo run` delegates to, as one line that names the
// option and the value the user gave.
#pragma once

#include <string>

#include "base/result.h"

namespace mimeo::cli {

// "-cpu: unknown CPU feature 'x'" becomes "-cpu host,+x: unknown CPU feature 'x'";
// a message that already starts with "<option> " is kept; any other message is
// prefixed with "<option> <value>: " ("<option>: " when the value is empty).
[[nodiscard]] Error with_option(const Error& error, const std::string& option,
                                const std::string& value);

}  // namespace mimeo::cli

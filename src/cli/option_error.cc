#include "cli/option_error.h"

namespace mimeo::cli {

Error with_option(const Error& error, const std::string& option, const std::string& value) {
  Error named = error;
  if (value.empty()) {  // "-object: empty option value" says it already
    if (!error.message.starts_with(option)) {
      named.message = option + ": " + error.message;
    }
    return named;
  }
  const std::string prefix = option + " " + value + ": ";
  if (error.message.starts_with(option + ": ")) {
    named.message = prefix + error.message.substr(option.size() + 2);
  } else if (!error.message.starts_with(option + " ")) {
    named.message = prefix + error.message;
  }
  return named;
}

}  // namespace mimeo::cli

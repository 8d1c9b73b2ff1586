#include "cli/option_checks.h"

#include <charconv>
#include <cmath>
#include <string>

namespace mimeo::cli {

CLI::Validator whole_number(long long low, long long high) {
  return CLI::Validator(
      [low, high](std::string& text) -> std::string {
        long long value = 0;
        const char* end = text.data() + text.size();
        auto [at, error] = std::from_chars(text.data(), end, value);
        if (text.empty() || at != end || error == std::errc::invalid_argument) {
          return "'" + text + "' is not a whole number";
        }
        if (error == std::errc::result_out_of_range || value > high) {
          return text + " is more than " + std::to_string(high);
        }
        if (value < low) {
          return text + " is less than " + std::to_string(low);
        }
        return {};
      },
      "INT in [" + std::to_string(low) + " - " + std::to_string(high) + "]", "WHOLE_NUMBER");
}

CLI::Validator seconds(bool zero_allowed) {
  return CLI::Validator(
      [zero_allowed](std::string& text) -> std::string {
        double value = 0;
        const char* end = text.data() + text.size();
        auto [at, error] = std::from_chars(text.data(), end, value);
        if (text.empty() || at != end || error != std::errc() || !std::isfinite(value)) {
          return "'" + text + "' is not a number of seconds";
        }
        if (value < 0) {
          return text + " is a negative number of seconds";
        }
        if (value == 0 && !zero_allowed) {
          return text + " is not more than 0 seconds";
        }
        return {};
      },
      zero_allowed ? "SECONDS >= 0" : "SECONDS > 0", "SECONDS");
}

}  // namespace mimeo::cli

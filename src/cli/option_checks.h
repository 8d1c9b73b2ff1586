// CLI11 checks for numeric options whose message says what is wrong with the value,
// in mimeo's words: CLI11's own Range() says "Value abc not in range 0 to 1000" for a
// word, and prints DBL_MAX in full for NonNegativeNumber.
#pragma once

#include <CLI/CLI.hpp>

namespace mimeo::cli {

// A whole number from `low` to `high`: "'abc' is not a whole number", "5000 is
// more than 1000", "-1 is less than 0".
[[nodiscard]] CLI::Validator whole_number(long long low, long long high);

// A number of seconds (decimals allowed): "'abc' is not a number of seconds", "-1
// is a negative number of seconds"; without `zero_allowed` also "0 is not more
// than 0 seconds".
[[nodiscard]] CLI::Validator seconds(bool zero_allowed);

}  // namespace mimeo::cli

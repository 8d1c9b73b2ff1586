// The numeric option checks: one message naming what is wrong with the value.
#include "cli/option_checks.h"

#include <gtest/gtest.h>

#include <string>

namespace mimeo::cli {
namespace {

// The check's message for `text` ("" when accepted).
std::string check(const CLI::Validator& validator, std::string text) { return validator(text); }

TEST(OptionChecks, WholeNumbersAreCheckedForFormAndRange) {
  const auto pool = whole_number(0, 1000);
  EXPECT_EQ(check(pool, "0"), "");
  EXPECT_EQ(check(pool, "1000"), "");
  EXPECT_EQ(check(pool, "abc"), "'abc' is not a whole number");
  EXPECT_EQ(check(pool, ""), "'' is not a whole number");
  EXPECT_EQ(check(pool, "2.5"), "'2.5' is not a whole number");
  EXPECT_EQ(check(pool, "12abc"), "'12abc' is not a whole number");
  EXPECT_EQ(check(pool, "1001"), "1001 is more than 1000");
  EXPECT_EQ(check(pool, "99999999999999999999999"), "99999999999999999999999 is more than 1000");
  EXPECT_EQ(check(pool, "-1"), "-1 is less than 0");
  EXPECT_EQ(check(whole_number(1, 1000), "0"), "0 is less than 1");
}

TEST(OptionChecks, SecondsMayHaveDecimalsButNotBeNegative) {
  const auto after = seconds(true);
  EXPECT_EQ(check(after, "0"), "");
  EXPECT_EQ(check(after, "0.25"), "");
  EXPECT_EQ(check(after, "-1"), "-1 is a negative number of seconds");
  EXPECT_EQ(check(after, "soon"), "'soon' is not a number of seconds");
  EXPECT_EQ(check(after, "1e999"), "'1e999' is not a number of seconds");
  EXPECT_EQ(check(after, "nan"), "'nan' is not a number of seconds");
  const auto timeout = seconds(false);
  EXPECT_EQ(check(timeout, "20"), "");
  EXPECT_EQ(check(timeout, "0"), "0 is not more than 0 seconds");
}

}  // namespace
}  // namespace mimeo::cli

// with_option: a sub-parser's error named once with the option and its value.
#include "cli/option_error.h"

#include <gtest/gtest.h>

namespace mimeo::cli {
namespace {

std::string named(const std::string& message, const std::string& option, const std::string& value) {
  return with_option(make_error(message), option, value).message;
}

TEST(WithOption, OptionColonPrefixGetsTheValue) {
  EXPECT_EQ(named("-cpu: unknown CPU feature 'x'", "-cpu", "host,+x"),
            "-cpu host,+x: unknown CPU feature 'x'");
}

TEST(WithOption, MessageThatNamesTheOptionAlreadyIsKept) {
  EXPECT_EQ(named("-cpu qemu64: unsupported CPU model", "-cpu", "qemu64"),
            "-cpu qemu64: unsupported CPU model");
}

TEST(WithOption, OtherMessagesArePrefixed) {
  EXPECT_EQ(named("Parameter 'size' expects size", "-object", "memory-backend-ram,size=1X"),
            "-object memory-backend-ram,size=1X: Parameter 'size' expects size");
}

TEST(WithOption, OnlyTheExactOptionCounts) {
  // "-machine" is not "-m".
  EXPECT_EQ(named("-machine: x", "-m", "64"), "-m 64: -machine: x");
}

TEST(WithOption, EmptyValue) {
  EXPECT_EQ(named("-object: empty option value", "-object", ""), "-object: empty option value");
  EXPECT_EQ(named("empty", "-object", ""), "-object: empty");
}

TEST(WithOption, KeepsErrno) {
  Error error = with_option(errno_error("open x", ENOENT), "-kernel", "x");
  EXPECT_EQ(error.err, ENOENT);
  EXPECT_EQ(error.describe(), "-kernel x: open x: No such file or directory");
}

}  // namespace
}  // namespace mimeo::cli

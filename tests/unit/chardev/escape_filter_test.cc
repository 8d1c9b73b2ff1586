#include "chardev/escape_filter.h"

#include <gtest/gtest.h>

#include <string>

namespace mimeo::chardev {
namespace {

std::string text(const std::vector<uint8_t>& v) { return std::string(v.begin(), v.end()); }
std::span<const uint8_t> bytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

TEST(EscapeFilter, PassesOrdinaryBytes) {
  EscapeFilter f;
  auto out = f.feed(bytes("ls -l\r\x03"));
  EXPECT_EQ(text(out.data), "ls -l\r\x03");
  EXPECT_FALSE(out.quit);
  EXPECT_FALSE(out.help);
}

TEST(EscapeFilter, CtrlACtrlASendsOneCtrlA) {
  EscapeFilter f;
  EXPECT_EQ(text(f.feed(bytes("a\x01\x01"
                              "b"))
                     .data),
            "a\x01"
            "b");
}

TEST(EscapeFilter, CtrlAXQuitsAfterWhatCameBefore) {
  EscapeFilter f;
  auto out = f.feed(bytes("bye\x01xignored"));
  EXPECT_TRUE(out.quit);
  EXPECT_EQ(text(out.data), "bye");
}

TEST(EscapeFilter, EscapeSplitAcrossReads) {
  EscapeFilter f;
  auto first = f.feed(bytes("q\x01"));
  EXPECT_EQ(text(first.data), "q");
  auto second = f.feed(bytes("x"));
  EXPECT_TRUE(second.quit);
  EXPECT_TRUE(second.data.empty());
}

TEST(EscapeFilter, HelpAndUnknownKeys) {
  EscapeFilter f;
  auto help = f.feed(bytes("\x01h"));
  EXPECT_TRUE(help.help);
  EXPECT_TRUE(help.data.empty());
  auto unknown = f.feed(bytes("\x01zk"));  // swallowed with the escape, as in QEMU
  EXPECT_EQ(text(unknown.data), "k");
  EXPECT_FALSE(unknown.quit);
}

}  // namespace
}  // namespace mimeo::chardev

#include "base/keyval.h"

#include <gtest/gtest.h>

namespace mimeo {
namespace {

TEST(KeyValues, ParsesImpliedKeyAndPairs) {
  auto kv = KeyValues::parse("memory-backend-file,id=mem0,size=1G,share=on", "-object", "qom-type");
  ASSERT_TRUE(kv.ok()) << kv.error().describe();
  EXPECT_EQ(kv->get("qom-type"), "memory-backend-file");
  EXPECT_EQ(kv->get("id"), "mem0");
  EXPECT_EQ(*kv->get_size("size").value(), 1ULL << 30);
  EXPECT_EQ(*kv->get_bool("share").value(), true);
  EXPECT_FALSE(kv->get("missing").has_value());
}

TEST(KeyValues, DoubleCommaIsALiteralComma) {
  auto kv = KeyValues::parse("id=a,mem-path=/tmp/x,,y", "-object");
  ASSERT_TRUE(kv.ok());
  EXPECT_EQ(kv->get("mem-path"), "/tmp/x,y");
}

TEST(KeyValues, RejectsMalformedInputNamingIt) {
  auto bare = KeyValues::parse("id=a,oops", "-object", "qom-type");
  ASSERT_FALSE(bare.ok());
  EXPECT_EQ(bare.error().message, "-object: 'oops' is not of the form key=value");
  auto twice = KeyValues::parse("id=a,id=b", "-object");
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.error().message, "-object: id given twice");
  auto kv = KeyValues::parse("share=maybe,size=12Q", "-object");
  ASSERT_TRUE(kv.ok());
  EXPECT_EQ(kv->get_bool("share").error().message,
            "-object: share='maybe' is not a boolean (use on or off)");
  EXPECT_FALSE(kv->get_size("size").ok());
  EXPECT_EQ(kv->check_allowed({"share"}).error().message, "-object: unknown parameter 'size'");
}

TEST(ParseSize, SuffixesAndDefaultUnit) {
  EXPECT_EQ(parse_size("4096"), 4096U);
  EXPECT_EQ(parse_size("4k"), 4096U);
  EXPECT_EQ(parse_size("2M"), 2U << 20);
  EXPECT_EQ(parse_size("2g"), 2ULL << 30);
  EXPECT_EQ(parse_size("256", 1 << 20), 256ULL << 20);
  EXPECT_FALSE(parse_size(""));
  EXPECT_FALSE(parse_size("-1"));
  EXPECT_FALSE(parse_size("1GB"));
  EXPECT_FALSE(parse_size("99999999999999E"));
}

TEST(ParseUint, DecimalAndHex) {
  EXPECT_EQ(parse_uint("0xf4"), 0xf4U);
  EXPECT_EQ(parse_uint("17"), 17U);
  EXPECT_FALSE(parse_uint("0x"));
  EXPECT_FALSE(parse_uint("12a"));
}

}  // namespace
}  // namespace mimeo

namespace mimeo {
namespace {

TEST(QemuId, LetterThenLettersDigitsDashDotUnderscore) {
  EXPECT_TRUE(is_qemu_id("pc.ram"));
  EXPECT_TRUE(is_qemu_id("mem-0_a"));
  EXPECT_FALSE(is_qemu_id(""));
  EXPECT_FALSE(is_qemu_id("0mem"));
  EXPECT_FALSE(is_qemu_id("a/b"));
  EXPECT_FALSE(is_qemu_id("a,b"));
}

}  // namespace
}  // namespace mimeo

#include "service/names.h"

#include <gtest/gtest.h>

#include <set>

namespace mimeo::service {
namespace {

TEST(NamesTest, ValidNames) {
  for (const char* name : {"a", "Z", "7", "alpine", "debian-12.1", "web_2", "a.b-c_d", "0x"}) {
    EXPECT_TRUE(is_valid_name(name)) << name;
  }
  EXPECT_TRUE(is_valid_name(std::string(64, 'n')));
}

TEST(NamesTest, InvalidNames) {
  for (const char* name : {"", "-a", ".hidden", "_x", "a b", "a/b", "..", "a:b", "é", "a\n"}) {
    EXPECT_FALSE(is_valid_name(name)) << name;
  }
  EXPECT_FALSE(is_valid_name(std::string(65, 'n')));
  EXPECT_FALSE(is_valid_name(std::string("a\0b", 3)));
}

TEST(NamesTest, MessageNamesTheNameAndTheRule) {
  EXPECT_EQ(invalid_name_message("template", "a b"),
            "template name \"a b\" is invalid: a name has 1 to 64 characters, letters, digits, "
            "'_', '.' and '-', and starts with a letter or digit");
  EXPECT_EQ(invalid_name_message("clone", "").substr(0, 32), "clone name \"\" is invalid: a name");
  std::string with_newline = invalid_name_message("clone", "x\ny\"");
  EXPECT_EQ(with_newline.substr(0, 32), "clone name \"x\\x0ay\\x22\" is inval");
  std::string long_one = invalid_name_message("clone", std::string(1000, 'n'));
  EXPECT_NE(long_one.find(std::string(64, 'n') + "\"... (1000 characters) is invalid"),
            std::string::npos)
      << long_one;
}

TEST(NamesTest, CloneIdsAreTwelveRandomHexDigits) {
  std::set<std::string> ids;
  for (int i = 0; i < 1000; ++i) {
    std::string id = new_clone_id();
    EXPECT_TRUE(looks_like_clone_id(id)) << id;
    EXPECT_TRUE(is_valid_name(id));
    ids.insert(id);
  }
  EXPECT_EQ(ids.size(), 1000u);
}

TEST(NamesTest, LooksLikeCloneId) {
  EXPECT_TRUE(looks_like_clone_id("0123456789ab"));
  EXPECT_FALSE(looks_like_clone_id("0123456789AB"));
  EXPECT_FALSE(looks_like_clone_id("0123456789a"));
  EXPECT_FALSE(looks_like_clone_id("0123456789abc"));
  EXPECT_FALSE(looks_like_clone_id("0123456789ag"));
  EXPECT_FALSE(looks_like_clone_id(""));
}

}  // namespace
}  // namespace mimeo::service

#include "qmp/json_splitter.h"

#include <gtest/gtest.h>

namespace mimeo::qmp {
namespace {

std::vector<std::string> texts(const std::vector<JsonSplitter::Item>& items) {
  std::vector<std::string> out;
  for (const auto& item : items) {
    out.push_back(item.error.empty() ? item.text : "error: " + item.error);
  }
  return out;
}

using Texts = std::vector<std::string>;

TEST(JsonSplitter, AnObjectEndsWhereItsBracesBalanceWithoutALineEnd) {
  JsonSplitter splitter;
  EXPECT_EQ(texts(splitter.feed(R"({"execute": "stop"})")), Texts{R"({"execute": "stop"})"});
}

TEST(JsonSplitter, SeveralObjectsInOneReadAndOneObjectOverSeveralReads) {
  JsonSplitter splitter;
  EXPECT_EQ(texts(splitter.feed("{\"a\": 1}\r\n{\"b\": [1, {\"c\": 2}]}  {\"d\"")),
            (Texts{R"({"a": 1})", R"({"b": [1, {"c": 2}]})"}));
  EXPECT_EQ(texts(splitter.feed(": 3")), Texts{});
  EXPECT_EQ(texts(splitter.feed("}\n")), Texts{R"({"d": 3})"});
}

TEST(JsonSplitter, BracesAndQuotesInsideStringsDoNotCount) {
  JsonSplitter splitter;
  const std::string text = R"({"execute": "x", "id": "}{\"]["})";
  EXPECT_EQ(texts(splitter.feed(text)), Texts{text});
}

TEST(JsonSplitter, TopLevelScalarsAreHandedOnAtTheirEnd) {
  JsonSplitter splitter;
  EXPECT_EQ(texts(splitter.feed("123 \"abc\"foo{}")), (Texts{"123", "\"abc\"", "foo", "{}"}));
  EXPECT_EQ(texts(splitter.feed("true")), Texts{});  // could go on: "trueish"
  EXPECT_EQ(texts(splitter.feed("\n")), Texts{"true"});
}

TEST(JsonSplitter, AStrayOrMismatchedCloserEndsTheValue) {
  JsonSplitter splitter;
  EXPECT_EQ(texts(splitter.feed("}")), Texts{"}"});
  EXPECT_EQ(texts(splitter.feed("{]")), Texts{"{]"});
  EXPECT_EQ(texts(splitter.feed("{\"a\": 1}")), Texts{"{\"a\": 1}"});
}

TEST(JsonSplitter, NestingAndSizeLimitsAreErrorsAndInputStartsAfresh) {
  JsonSplitter splitter;
  auto deep = splitter.feed(std::string(JsonSplitter::kMaxNesting + 1, '['));
  EXPECT_EQ(texts(deep), Texts{"error: JSON nesting depth limit exceeded"});
  EXPECT_EQ(texts(splitter.feed("{}")), Texts{"{}"});

  auto big = splitter.feed("\"" + std::string(JsonSplitter::kMaxValueBytes, 'x'));
  EXPECT_EQ(texts(big), Texts{"error: JSON token size limit exceeded"});
}

TEST(JsonSplitter, ResetDropsUnfinishedInput) {
  JsonSplitter splitter;
  EXPECT_EQ(texts(splitter.feed(R"({"execute": "st)")), Texts{});
  splitter.reset();
  EXPECT_EQ(texts(splitter.feed(R"({"execute": "cont"})")), Texts{R"({"execute": "cont"})"});
}

}  // namespace
}  // namespace mimeo::qmp

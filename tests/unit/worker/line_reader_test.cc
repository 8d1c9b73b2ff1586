#include "worker/line_reader.h"

#include <gtest/gtest.h>

#include <string>

namespace mimeo::worker {
namespace {

TEST(LineReader, GivesWholeLinesAsTheyComplete) {
  LineReader reader(16);
  reader.append("sta");
  EXPECT_FALSE(reader.overlong());
  EXPECT_EQ(reader.next_line(), std::nullopt);
  reader.append("tus\npause\nres");
  EXPECT_EQ(reader.next_line(), "status");
  EXPECT_EQ(reader.next_line(), "pause");
  EXPECT_EQ(reader.next_line(), std::nullopt);
  reader.append("ume\r\n");
  EXPECT_EQ(reader.next_line(), "resume\r");
  EXPECT_EQ(reader.buffered(), 0U);
}

TEST(LineReader, EmptyLinesAreLines) {
  LineReader reader(16);
  reader.append("\n\n");
  EXPECT_EQ(reader.next_line(), "");
  EXPECT_EQ(reader.next_line(), "");
  EXPECT_EQ(reader.next_line(), std::nullopt);
}

TEST(LineReader, ALineOfExactlyTheLimitIsFine) {
  LineReader reader(8);
  reader.append(std::string(8, 'a'));
  EXPECT_FALSE(reader.overlong());
  reader.append("\r");
  EXPECT_FALSE(reader.overlong());  // the "\r" may be followed by "\n"
  reader.append("\n");
  EXPECT_FALSE(reader.overlong());
  EXPECT_EQ(reader.next_line(), std::string(8, 'a') + "\r");
}

TEST(LineReader, CatchesALongLineBeforeItsEnd) {
  LineReader reader(8);
  reader.append(std::string(10, 'a'));
  EXPECT_TRUE(reader.overlong());
}

TEST(LineReader, CatchesALongCompleteLine) {
  LineReader reader(8);
  reader.append(std::string(9, 'a') + "\n");
  EXPECT_TRUE(reader.overlong());
  LineReader with_return(8);
  with_return.append(std::string(9, 'a') + "\r\n");
  EXPECT_TRUE(with_return.overlong());
}

TEST(LineReader, OnlyTheNextLineCounts) {
  LineReader reader(8);
  reader.append("stop\n" + std::string(20, 'a'));
  EXPECT_FALSE(reader.overlong());
  EXPECT_EQ(reader.next_line(), "stop");
  EXPECT_TRUE(reader.overlong());
}

}  // namespace
}  // namespace mimeo::worker

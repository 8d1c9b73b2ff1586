#include "base/read_file.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace mimeo {
namespace {

class ReadFileTest : public ::testing::Test {
 protected:
  ReadFileTest() {
    char pattern[] = "/tmp/mimeo-read-file-XXXXXX";
    dir_ = ::mkdtemp(pattern);
    std::ofstream(path_, std::ios::binary) << "0123456789";
  }
  ~ReadFileTest() override { std::filesystem::remove_all(dir_); }

  std::string dir_;
  std::string path_ = dir_ + "/ten";
};

TEST_F(ReadFileTest, ReadsTheWholeFile) {
  auto data = read_whole_file(path_);
  ASSERT_TRUE(data.ok()) << data.error().describe();
  EXPECT_EQ(std::string(data->begin(), data->end()), "0123456789");
}

TEST_F(ReadFileTest, ReadAtReadsFromTheOffsetAndStopsAtTheEnd) {
  auto file = open_regular_file(path_);
  ASSERT_TRUE(file.ok()) << file.error().describe();
  EXPECT_EQ(file->size, 10U);
  std::vector<uint8_t> out(4);
  EXPECT_EQ(read_at(file->fd.get(), 3, out, path_).value(), 4U);
  EXPECT_EQ(std::string(out.begin(), out.end()), "3456");
  EXPECT_EQ(read_at(file->fd.get(), 8, out, path_).value(), 2U);  // past the end: short
  EXPECT_EQ(std::string(out.begin(), out.begin() + 2), "89");
}

TEST_F(ReadFileTest, ErrorsNameThePath) {
  EXPECT_EQ(read_whole_file(dir_ + "/missing").error().describe(),
            "open " + dir_ + "/missing: No such file or directory");
  EXPECT_EQ(open_regular_file(dir_).error().message, dir_ + " is not a regular file");
  std::vector<uint8_t> out(4);
  EXPECT_EQ(read_at(-1, 0, out, path_).error().describe(),
            "read " + path_ + ": Bad file descriptor");
}

}  // namespace
}  // namespace mimeo

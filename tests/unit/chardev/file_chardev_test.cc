#include "chardev/file_chardev.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "chardev/open_chardev.h"
#include "test_support.h"

namespace mimeo::chardev {
namespace {

using testing::bytes_of;
using testing::ScratchDir;

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Result<std::unique_ptr<Chardev>> open_file(const std::string& path, bool append) {
  auto spec = parse_chardev_option("file,id=log0,path=" + path + (append ? ",append=on" : ""));
  if (!spec.ok()) {
    return spec.error();
  }
  return open_chardev(*spec);
}

TEST(FileChardev, TruncatesByDefault) {
  ScratchDir dir;
  const std::string path = dir.file("console.log");
  std::ofstream(path) << "old boot log\n";
  auto dev = open_file(path, false);
  ASSERT_TRUE(dev.ok()) << dev.error().describe();
  EXPECT_EQ(slurp(path), "");
  (*dev)->write(bytes_of("Linux version"));
  (*dev)->write(bytes_of(" 6.1\n"));
  EXPECT_EQ(slurp(path), "Linux version 6.1\n");  // written through, no buffering
  EXPECT_EQ((*dev)->describe(), "file:" + path);
  EXPECT_EQ((*dev)->id(), "log0");
}

TEST(FileChardev, AppendKeepsWhatWasThere) {
  ScratchDir dir;
  const std::string path = dir.file("console.log");
  std::ofstream(path) << "first run\n";
  auto dev = open_file(path, true);
  ASSERT_TRUE(dev.ok()) << dev.error().describe();
  (*dev)->write(bytes_of("second run\n"));
  EXPECT_EQ(slurp(path), "first run\nsecond run\n");
}

TEST(FileChardev, CreatesMissingFileAndHasNoInput) {
  ScratchDir dir;
  const std::string path = dir.file("new.log");
  auto dev = open_file(path, false);
  ASSERT_TRUE(dev.ok());
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_TRUE((*dev)->start_input([](auto) { ADD_FAILURE() << "a file has no input"; }).ok());
  EXPECT_FALSE((*dev)->start_input([](auto) {}).ok());  // only once
  EXPECT_TRUE((*dev)->connected());
}

TEST(FileChardev, UnwritablePathIsNamedWithErrno) {
  ScratchDir dir;
  const std::string path = dir.file("no-such-dir/console.log");
  auto dev = open_file(path, false);
  ASSERT_FALSE(dev.ok());
  EXPECT_EQ(dev.error().describe(), "chardev log0: open " + path + ": No such file or directory");
  EXPECT_EQ(dev.error().err, ENOENT);

  if (::geteuid() != 0) {  // root may write anywhere
    const std::string ro = dir.file("read-only.log");
    std::ofstream(ro) << "x";
    ::chmod(ro.c_str(), 0400);
    auto denied = open_file(ro, true);
    ASSERT_FALSE(denied.ok());
    EXPECT_EQ(denied.error().err, EACCES);
  }
}

TEST(NullChardev, DiscardsOutput) {
  auto spec = parse_serial_option("null");
  ASSERT_TRUE(spec.ok());
  auto dev = open_chardev(spec->backend);
  ASSERT_TRUE(dev.ok());
  (*dev)->write(bytes_of("into the void"));
  EXPECT_EQ((*dev)->describe(), "null");
  EXPECT_TRUE((*dev)->start_input([](auto) {}).ok());
}

}  // namespace
}  // namespace mimeo::chardev

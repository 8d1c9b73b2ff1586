#include "snapshot/stream_file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "snapshot/ram_runs.h"
#include "unit/snapshot/sample_stream.h"
#include "unit/snapshot/temp_dir.h"

namespace mimeo::snapshot {
namespace {

using testing::make_sample;
using testing::TempDir;

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

size_t files_in(const std::string& dir) {
  size_t n = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir)) {
    ++n;
  }
  return n;
}

TEST(StreamFile, WritesAndReadsBack) {
  TempDir dir;
  auto sample = make_sample();
  std::string path = dir.file("vm.state");
  ASSERT_TRUE(write_stream_file(path, sample.stream).ok());
  EXPECT_EQ(files_in(dir.path()), 1u);  // no temporary left behind

  auto file = read_stream_file(path);
  ASSERT_TRUE(file.ok()) << file.error().describe();
  EXPECT_EQ(file->stream().sections, sample.stream.sections);
  std::vector<uint8_t> restored(1 << 20, 0);
  ASSERT_TRUE(restore_ram(*file->stream().find_ram("pc.ram"), restored).ok());
  EXPECT_EQ(restored, sample.ram);
}

TEST(StreamFile, FailedWriteLeavesThePreviousFileAlone) {
  TempDir dir;
  std::string path = dir.file("vm.state");
  std::ofstream(path) << "the user's previous stream";
  auto status = write_file_atomically(path, [](int fd) -> Status {
    if (::write(fd, "partial", 7) != 7) {
      return errno_error("write");
    }
    return make_error("capture failed halfway");
  });
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().message, "capture failed halfway");
  EXPECT_EQ(read_text(path), "the user's previous stream");
  EXPECT_EQ(files_in(dir.path()), 1u);

  // An invalid stream is refused before anything is written, too.
  auto sample = make_sample();
  sample.stream.ram.clear();
  EXPECT_FALSE(write_stream_file(path, sample.stream).ok());
  EXPECT_EQ(read_text(path), "the user's previous stream");
  EXPECT_EQ(files_in(dir.path()), 1u);
}

TEST(StreamFile, WriteIntoAMissingDirectoryNamesThePath) {
  TempDir dir;
  std::string path = dir.file("no/such/dir/vm.state");
  auto status = write_stream_file(path, make_sample().stream);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().describe(),
            "create a temporary file next to " + path + ": No such file or directory");
}

TEST(StreamFile, ReadErrorsNameTheFile) {
  TempDir dir;
  std::string path = dir.file("not-a-stream");
  std::ofstream(path) << "hello, this is not a state stream";
  auto file = read_stream_file(path);
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.error().message, "state stream " + path +
                                      ": wrong magic number 68 65 6c 6c 6f 2c 20 74: not a mimeo "
                                      "state stream");

  std::ofstream(dir.file("empty"));
  auto empty = read_stream_file(dir.file("empty"));
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().message,
            "state stream " + dir.file("empty") + ": only 0 bytes, too short for a state stream");

  auto missing = read_stream_file(dir.file("missing"));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().describe(), "state stream " + dir.file("missing") + ": open " +
                                            dir.file("missing") + ": No such file or directory");
}

}  // namespace
}  // namespace mimeo::snapshot

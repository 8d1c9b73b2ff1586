#include "snapshot/file_fingerprint.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "unit/snapshot/temp_dir.h"

namespace mimeo::snapshot {
namespace {

using testing::TempDir;

void write_file(const std::string& path, const std::vector<uint8_t>& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(content.data()),
            static_cast<std::streamsize>(content.size()));
}

std::vector<uint8_t> ram_file_content(size_t size) {
  std::vector<uint8_t> content(size);
  for (size_t i = 0; i < size; ++i) {
    content[i] = static_cast<uint8_t>((i * 2654435761u) >> 13);
  }
  return content;
}

class FileFingerprintTest : public ::testing::Test {
 protected:
  TempDir dir_;
  std::string path_ = dir_.file("template.ram");
  std::vector<uint8_t> content_ = ram_file_content(64 << 20);
};

TEST_F(FileFingerprintTest, MatchesTheFileItWasTakenFromAndACopyOfIt) {
  write_file(path_, content_);
  auto saved = compute_file_fingerprint(path_);
  ASSERT_TRUE(saved.ok()) << saved.error().describe();
  EXPECT_EQ(saved->file_size, content_.size());
  EXPECT_EQ(*saved, fingerprint_bytes(content_));
  // Content only: a copy elsewhere (another inode) matches.
  write_file(dir_.file("copy.ram"), content_);
  EXPECT_TRUE(check_file_fingerprint(dir_.file("copy.ram"), *saved).ok());
}

TEST_F(FileFingerprintTest, AChangedByteInASampledPageIsFound) {
  write_file(path_, content_);
  auto saved = compute_file_fingerprint(path_).value();
  // The middle of the 5th of 16 slices: a sampled page, far from either end.
  size_t sampled = (content_.size() / 32 * 9) / 4096 * 4096 + 100;
  content_[sampled] ^= 1;
  write_file(path_, content_);
  auto status = check_file_fingerprint(path_, saved);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().message.rfind(
                path_ + ": content differs from when the state stream was saved (sampled "
                        "fingerprint 0x",
                0),
            0u)
      << status.error().message;
}

TEST_F(FileFingerprintTest, EdgesAreSampled) {
  auto first = content_;
  first[1000] ^= 1;
  auto last = content_;
  last[last.size() - 1000] ^= 1;
  EXPECT_NE(fingerprint_bytes(first), fingerprint_bytes(content_));
  EXPECT_NE(fingerprint_bytes(last), fingerprint_bytes(content_));
}

TEST_F(FileFingerprintTest, SizeChangeIsNamed) {
  write_file(path_, content_);
  auto saved = compute_file_fingerprint(path_).value();
  content_.resize(32 << 20);
  write_file(path_, content_);
  auto status = check_file_fingerprint(path_, saved);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().message,
            path_ + ": the file is 32 MiB but was 64 MiB when the state stream was saved");
}

TEST_F(FileFingerprintTest, SmallAndEmptyFiles) {
  EXPECT_EQ(fingerprint_bytes({}).file_size, 0u);
  std::vector<uint8_t> small = {1, 2, 3};
  write_file(path_, small);
  auto fp = compute_file_fingerprint(path_);
  ASSERT_TRUE(fp.ok()) << fp.error().describe();
  EXPECT_EQ(*fp, fingerprint_bytes(small));
}

TEST_F(FileFingerprintTest, MissingFileNamesThePath) {
  auto status = check_file_fingerprint(dir_.file("gone.ram"), {});
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().describe(),
            "open " + dir_.file("gone.ram") + ": No such file or directory");
}

}  // namespace
}  // namespace mimeo::snapshot

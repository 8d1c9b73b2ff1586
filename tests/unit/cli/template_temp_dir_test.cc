// TemplateTempDir: the unpublished directory of `mimeo template create`, and the
// removal of those that a killed create left (nobody holds their lock).
#include "cli/template_temp_dir.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

namespace mimeo::cli {
namespace {

namespace fs = std::filesystem;

class TemplateTempDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "mimeo-tempdir-test.XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    parent_ = pattern;
  }
  void TearDown() override {
    std::error_code ignored;
    for (const auto& entry : fs::recursive_directory_iterator(parent_, ignored)) {
      fs::permissions(entry.path(), fs::perms::owner_all, fs::perm_options::add, ignored);
    }
    fs::remove_all(parent_, ignored);
  }
  // A directory the way a killed create leaves it: its marker and some files.
  fs::path abandoned(const std::string& name, bool read_only = false) {
    const fs::path dir = parent_ / name;
    fs::create_directory(dir);
    std::ofstream(dir / ".mimeo-template-create").flush();
    std::ofstream(dir / "pc.ram") << "guest memory";
    if (read_only) {
      fs::permissions(dir / "pc.ram", fs::perms::owner_read);
      fs::permissions(dir, fs::perms::owner_read | fs::perms::owner_exec);
    }
    return dir;
  }

  fs::path parent_;
};

TEST_F(TemplateTempDirTest, ItIsBesideTheTargetAndRemovedUnlessPublished) {
  std::vector<std::string> removed;
  std::string path;
  {
    auto dir = TemplateTempDir::create(parent_ / "t", removed);
    ASSERT_TRUE(dir.ok()) << dir.error().describe();
    path = dir->path();
    EXPECT_TRUE(path.starts_with((parent_ / "t.tmp-").string())) << path;
    EXPECT_TRUE(fs::is_directory(path));
  }
  EXPECT_FALSE(fs::exists(path));
  EXPECT_TRUE(removed.empty());

  {
    auto kept = TemplateTempDir::create(parent_ / "t", removed);
    ASSERT_TRUE(kept.ok());
    path = kept->path();
    ASSERT_TRUE(kept->unmark().ok());
    EXPECT_TRUE(fs::is_empty(path));  // a published template holds only its own files
    kept->release();
  }
  EXPECT_TRUE(fs::is_directory(path));
}

TEST_F(TemplateTempDirTest, TheNextCreateRemovesWhatAKilledOneLeft) {
  const fs::path same = abandoned("t.tmp-AbC123");
  const fs::path other = abandoned("other.tmp-xyz789");
  const fs::path frozen = abandoned("t.tmp-ro0000", true);  // killed just before publishing
  const fs::path empty = parent_ / "t.tmp-empty1";          // killed right after mkdtemp()
  fs::create_directory(empty);
  std::vector<std::string> removed;
  auto dir = TemplateTempDir::create(parent_ / "t", removed);
  ASSERT_TRUE(dir.ok()) << dir.error().describe();
  std::sort(removed.begin(), removed.end());
  std::vector<std::string> expected = {other.string(), same.string(), frozen.string(),
                                       empty.string()};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(removed, expected);
  for (const auto& path : expected) {
    EXPECT_FALSE(fs::exists(path)) << path;
  }
  EXPECT_TRUE(fs::is_directory(dir->path()));
}

TEST_F(TemplateTempDirTest, ACreateThatStillRunsKeepsItsDirectory) {
  std::vector<std::string> removed;
  auto running = TemplateTempDir::create(parent_ / "t", removed);
  ASSERT_TRUE(running.ok());
  auto next = TemplateTempDir::create(parent_ / "u", removed);
  ASSERT_TRUE(next.ok());
  EXPECT_TRUE(removed.empty());
  EXPECT_TRUE(fs::is_directory(running->path()));
}

TEST_F(TemplateTempDirTest, SomebodyElsesDirectoryOfTheSameNameIsNeverRemoved) {
  const fs::path user = parent_ / "notes.tmp-2026ab";
  fs::create_directory(user);
  std::ofstream(user / "draft.txt") << "the user's";
  const fs::path file = parent_ / "t.tmp-file00";  // a file, not a directory
  std::ofstream(file) << "x";
  std::vector<std::string> removed;
  auto dir = TemplateTempDir::create(parent_ / "t", removed);
  ASSERT_TRUE(dir.ok());
  EXPECT_TRUE(removed.empty());
  EXPECT_TRUE(fs::exists(user / "draft.txt"));
  EXPECT_TRUE(fs::exists(file));
}

}  // namespace
}  // namespace mimeo::cli

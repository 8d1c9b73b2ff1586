// A catalog on a full file system: writes fail with ENOSPC and change
// nothing; once there is space again the catalog works and holds exactly the
// rows whose writes succeeded.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sched.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "base/unique_fd.h"
#include "common/temp_dir.h"
#include "service/catalog.h"
#include "unit/service/catalog_test_rows.h"

namespace mimeo::service {
namespace {

using testing::sample_clone;
using testing::sample_template;

// A small tmpfs at `dir`, in a private mount namespace so that it goes away
// with the test process even if the test dies before unmounting it.
class SmallTmpfs {
 public:
  explicit SmallTmpfs(const std::string& dir) : dir_(dir) {
    if (::unshare(CLONE_NEWNS) != 0) {
      problem_ = std::string("unshare(CLONE_NEWNS): ") + std::strerror(errno);
    } else if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
      problem_ = std::string("make / private: ") + std::strerror(errno);
    } else if (::mount("tmpfs", dir.c_str(), "tmpfs", 0, "size=256k,mode=0700") != 0) {
      problem_ = std::string("mount tmpfs: ") + std::strerror(errno);
    } else {
      mounted_ = true;
    }
  }
  ~SmallTmpfs() {
    if (mounted_) {
      ::umount2(dir_.c_str(), MNT_DETACH);
    }
  }
  SmallTmpfs(const SmallTmpfs&) = delete;
  SmallTmpfs& operator=(const SmallTmpfs&) = delete;

  [[nodiscard]] bool mounted() const { return mounted_; }
  [[nodiscard]] const std::string& problem() const { return problem_; }

 private:
  std::string dir_;
  bool mounted_ = false;
  std::string problem_;
};

// Fills the file system with `path` until a write fails with ENOSPC, then
// gives `keep_free` bytes back.
void fill_file_system(const std::string& path, off_t keep_free) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  ASSERT_TRUE(fd.valid()) << std::strerror(errno);
  std::vector<char> block(4096, 'f');
  off_t size = 0;
  for (;;) {
    ssize_t n = ::write(fd.get(), block.data(), block.size());
    if (n <= 0) {
      ASSERT_EQ(errno, ENOSPC) << std::strerror(errno);
      break;
    }
    size += n;
  }
  ASSERT_EQ(::ftruncate(fd.get(), size > keep_free ? size - keep_free : 0), 0);
}

TemplateRecord bulky_template(int i) {
  TemplateRecord record = sample_template("t" + std::to_string(i));
  record.dir += "/" + std::string(1500, 'd');
  return record;
}

TEST(CatalogFullDiskTest, FullDiskFailsWithEnospcAndKeepsWhatSucceeded) {
  mimeo::testing::TempDir dir;
  SmallTmpfs tmpfs(dir.path());
  if (!tmpfs.mounted()) {
    GTEST_SKIP() << "no tmpfs for the test: " << tmpfs.problem();
  }
  std::string path = dir.file("catalog.db");
  std::vector<TemplateRecord> stored;
  {
    auto catalog = Catalog::open(path);
    ASSERT_TRUE(catalog.ok()) << catalog.error().describe();
    ASSERT_OK(catalog->add_template(sample_template("first")));
    stored.push_back(sample_template("first"));
    fill_file_system(dir.file("filler"), 48 * 1024);

    Error full;
    for (int i = 0; i < 1000; ++i) {
      Status added = catalog->add_template(bulky_template(i));
      if (!added.ok()) {
        full = added.error();
        break;
      }
      stored.push_back(bulky_template(i));
    }
    EXPECT_EQ(full.err, ENOSPC) << full.describe();
    EXPECT_NE(full.describe().find("database or disk is full"), std::string::npos)
        << full.describe();
    EXPECT_NE(full.describe().find(path), std::string::npos) << full.describe();
    EXPECT_EQ(catalog_service_error(full).kind, ErrorKind::kNoSpace);

    // Still full: other writes fail the same way and change nothing; reads work.
    for (int i = 0; i < 3; ++i) {
      Status again = catalog->add_template(bulky_template(1000 + i));
      ASSERT_FALSE(again.ok());
      EXPECT_EQ(again.error().err, ENOSPC) << again.error().describe();
    }
    CloneRecord clone = sample_clone("aaaaaaaaaaaa", "first");
    clone.dir += std::string(8000, 'c');
    Status clone_added = catalog->add_clone(clone);
    ASSERT_FALSE(clone_added.ok());
    EXPECT_EQ(clone_added.error().err, ENOSPC) << clone_added.error().describe();
    EXPECT_EQ(catalog->templates().value(), stored);
    EXPECT_TRUE(catalog->clones().value().empty());

    ASSERT_EQ(::unlink(dir.file("filler").c_str()), 0);
    ASSERT_OK(catalog->add_template(sample_template("after")));
    stored.push_back(sample_template("after"));
    ASSERT_OK(catalog->add_clone(clone));
  }
  auto reopened = Catalog::open(path);
  ASSERT_TRUE(reopened.ok()) << reopened.error().describe();
  EXPECT_EQ(reopened->templates().value(), stored);
  EXPECT_EQ(reopened->clones().value().size(), 1u);
  EXPECT_GT(stored.size(), 5u) << "the file system filled before any bulky template";
}

}  // namespace
}  // namespace mimeo::service

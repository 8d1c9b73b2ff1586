// Catalog::open refuses files it must not use, with an error naming the file,
// and leaves their bytes as they were.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "common/temp_dir.h"
#include "service/catalog.h"
#include "unit/service/catalog_test_rows.h"

namespace mimeo::service {
namespace {

using testing::sample_clone;
using testing::sample_template;

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

// Runs `sql` on `path` with SQLite itself, as another program would.
void sqlite_exec(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* message = nullptr;
  int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message);
  EXPECT_EQ(rc, SQLITE_OK) << (message != nullptr ? message : "");
  sqlite3_free(message);
  ASSERT_EQ(sqlite3_close(db), SQLITE_OK);
}

// A catalog with enough rows to span many pages, closed cleanly (its
// write-ahead log checkpointed into the file and removed).
void fill_catalog(const std::string& path) {
  auto catalog = Catalog::open(path);
  ASSERT_TRUE(catalog.ok()) << catalog.error().describe();
  for (int i = 0; i < 100; ++i) {
    TemplateRecord record = sample_template("t" + std::to_string(i));
    record.dir += std::string(300, 'x');
    ASSERT_OK(catalog->add_template(record));
    ASSERT_OK(catalog->add_clone(sample_clone("c" + std::to_string(i), record.name)));
  }
}

// Opening `path` fails with a message naming it and containing `why`; the
// file's bytes are unchanged.
void expect_refused(const std::string& path, const std::string& why) {
  std::string before = read_bytes(path);
  auto catalog = Catalog::open(path);
  ASSERT_FALSE(catalog.ok());
  std::string message = catalog.error().describe();
  EXPECT_NE(message.find(path), std::string::npos) << message;
  EXPECT_NE(message.find(why), std::string::npos) << message;
  EXPECT_EQ(read_bytes(path), before);
}

TEST(CatalogOpenTest, GarbageFileIsRefused) {
  mimeo::testing::TempDir dir;
  std::string path = dir.file("catalog.db");
  std::string garbage;
  for (int i = 0; i < 10000; ++i) {
    garbage += static_cast<char>(i * 7919 % 251);
  }
  write_bytes(path, garbage);
  expect_refused(path, "not a usable SQLite database");
  write_bytes(path, "templates:\n  alpine: /srv/alpine\n");  // a short text file
  expect_refused(path, "not a usable SQLite database");
}

TEST(CatalogOpenTest, TruncatedDatabaseIsRefused) {
  mimeo::testing::TempDir dir;
  std::string path = dir.file("catalog.db");
  fill_catalog(path);
  auto size = static_cast<off_t>(std::filesystem::file_size(path));
  ASSERT_GT(size, 16 * 4096);
  ASSERT_EQ(::truncate(path.c_str(), size / 2), 0);
  expect_refused(path, "database disk image is malformed");
  ASSERT_EQ(::truncate(path.c_str(), 4096 + 100), 0);  // one page and a bit
  expect_refused(path, "database disk image is malformed");
  ASSERT_EQ(::truncate(path.c_str(), 50), 0);  // not even the header
  expect_refused(path, "not a usable SQLite database");
}

TEST(CatalogOpenTest, DamagedPageIsRefused) {
  mimeo::testing::TempDir dir;
  std::string path = dir.file("catalog.db");
  fill_catalog(path);
  std::string bytes = read_bytes(path);
  ASSERT_GT(bytes.size(), 16u * 4096);
  // Page 12 (a table or index page; page 1 with the schema stays whole).
  std::string whole = bytes;
  std::fill_n(bytes.begin() + 11 * 4096, 4096, '\xa5');
  write_bytes(path, bytes);
  expect_refused(path, "damaged (PRAGMA quick_check: ");
  // Only the cells at the end of the page: the page header still parses.
  bytes = whole;
  std::fill_n(bytes.begin() + 11 * 4096 + 3000, 1000, '\x00');
  write_bytes(path, bytes);
  expect_refused(path, "damaged (PRAGMA quick_check: ");
}

TEST(CatalogOpenTest, NewerSchemaVersionIsRefused) {
  mimeo::testing::TempDir dir;
  std::string path = dir.file("catalog.db");
  fill_catalog(path);
  sqlite_exec(path, "PRAGMA user_version = 99");
  expect_refused(path, "schema version 99 is newer than this mimeo knows (1)");
}

TEST(CatalogOpenTest, AnotherApplicationsDatabaseIsRefused) {
  mimeo::testing::TempDir dir;
  std::string path = dir.file("catalog.db");
  sqlite_exec(path, "CREATE TABLE photos (id INTEGER PRIMARY KEY, file TEXT)");
  expect_refused(path, "another application");
  EXPECT_NE(read_bytes(path).find("photos"), std::string::npos);
}

TEST(CatalogOpenTest, DirectoryOrMissingParentIsAnError) {
  mimeo::testing::TempDir dir;
  auto catalog = Catalog::open(dir.path());
  ASSERT_FALSE(catalog.ok());
  EXPECT_EQ(catalog.error().describe(), "catalog " + dir.path() + ": not a regular file");

  std::string missing = dir.file("no/such/dir/catalog.db");
  catalog = Catalog::open(missing);
  ASSERT_FALSE(catalog.ok());
  EXPECT_EQ(catalog.error().err, ENOENT);
  EXPECT_NE(catalog.error().message.find(missing), std::string::npos);
}

// The daemon keeps its catalog locked (exclusive locking mode): a second
// daemon on the same state directory is refused and names the reason.
TEST(CatalogOpenTest, ACatalogInUseIsRefused) {
  mimeo::testing::TempDir dir;
  std::string path = dir.file("catalog.db");
  auto first = Catalog::open(path);
  ASSERT_TRUE(first.ok()) << first.error().describe();
  ASSERT_OK(first->add_template(sample_template("t")));
  auto second = Catalog::open(path);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().err, EBUSY);
  EXPECT_NE(second.error().message.find("catalog " + path + " is in use by another process"),
            std::string::npos)
      << second.error().describe();
  ASSERT_OK(first->add_template(sample_template("u")));  // the first one is unharmed
  first = Result<Catalog>(make_error("closed"));
  auto again = Catalog::open(path);
  ASSERT_TRUE(again.ok()) << again.error().describe();
  EXPECT_EQ(again->templates()->size(), 2u);
}

TEST(CatalogOpenTest, AnEmptyFileBecomesACatalog) {
  mimeo::testing::TempDir dir;
  std::string path = dir.file("catalog.db");
  write_bytes(path, "");  // left by a crash between creating the file and the schema
  auto catalog = Catalog::open(path);
  ASSERT_TRUE(catalog.ok()) << catalog.error().describe();
  ASSERT_OK(catalog->add_template(sample_template("t")));
}

}  // namespace
}  // namespace mimeo::service
